"""Gate decisions of simulated changes: the CI risk gate (``aftershock classify --emit``) on
every pull request, scored by the shipped rules with the evaluator the gate and ``rules
backtest`` use, on the change's own payload and attributes.

A change whose tier asks for more than the lowest tier (decision ``require_review`` or
``block``) is *flagged*: a first decision when the request is opened (before verification),
then, just before merge, the ``--check`` run: ``allow`` once the verification is done (with
``P_VERIFIED``), else the block is overridden (``override`` true, approved by a team member).
An unflagged change gets one ``allow``. Whether a change is flagged, and whether it is
overridden, never depends on whether it is bad: the gate observes the world and changes
nothing in it (the simulated org merges every change). Everything here is drawn from a
generator of its own, seeded by the run's seed and the change id, and the events are buffered
without touching the main random stream, so the rest of the history is byte-identical with or
without them.
"""

from __future__ import annotations

import json
import random
from functools import cache
from typing import Any

from analytics.rules.evaluate import evaluate, facts_of
from analytics.rules.model import Rules, load_rules
from gate.classify import EXIT_CODES, decision_of
from simulator.context import Ctx

P_VERIFIED = 0.9
_MIN = 60.0


@cache
def rules() -> Rules:
    return load_rules(None)


@cache
def decisions() -> dict[str, str]:
    """Each tier's decision before verification (as ``aftershock classify`` without --check)."""
    r = rules()
    return {t.name: decision_of(r, t) for t in r.tier}


def gate_change(ctx: Ctx, change_id: str, service: str, people: tuple[str, ...], merged_at: float,
                envelope: dict[str, Any], payload: dict[str, Any]) -> None:
    """Emit the gate decisions of one change (before it merged at ``merged_at``)."""
    rng = random.Random(f"{ctx.seed}:{change_id}:gate")  # noqa: S311 (reproducible, not secrets)
    r = rules()
    attributes = envelope["attributes"]
    facts = facts_of(payload, attributes)
    assessment = evaluate(r, facts)
    tier = next(t for t in r.tier if t.name == assessment.tier)
    first = decisions()[tier.name]
    inputs = json.dumps({"files": len(facts.paths), "lines_added": facts.lines_added,
                         "lines_deleted": facts.lines_deleted, "ai_level": facts.ai_level, "kind": facts.kind,
                         "author_kind": facts.author_kind, "path_categories": list(assessment.categories),
                         "attributes": attributes}, sort_keys=True, separators=(",", ":"))
    base = {"subject_kind": "change", "subject_id": change_id, "gate": "ci", "inputs_json": inputs,
            "score": assessment.score, "tier": tier.name, "rules_fired": list(assessment.rules_fired),
            "required_verification": list(tier.verification), "rules_version": r.version}
    opened = max(merged_at - rng.uniform(30 * _MIN, 240 * _MIN), 0.0)
    _emit(ctx, rng, service, change_id, opened, base | {"decision": first}, checked=False)
    if first == "allow":
        return
    ctx.truth.gate_flagged.append(change_id)
    checked = max(merged_at - rng.uniform(1 * _MIN, 20 * _MIN), opened)
    if rng.random() < P_VERIFIED:
        _emit(ctx, rng, service, change_id, checked, base | {"decision": "allow"}, checked=True)
        return
    ctx.truth.gate_overridden.append(change_id)
    _emit(ctx, rng, service, change_id, checked,
          base | {"decision": "block", "override": True, "approved_by": [rng.choice(people)]}, checked=True)


def _emit(ctx: Ctx, rng: random.Random, service: str, change_id: str, t: float, payload: dict[str, Any],
          checked: bool) -> None:
    envelope = {"source": "aftershock-gate", "service_name": service, "change_id": change_id,
                "attributes": {"gate.exit_code": str(EXIT_CODES[payload["decision"]]),
                               "gate.checked": str(checked).lower()}}
    ctx.emit_aside("gate_decision", t, rng.uniform(1.0, 30.0), envelope, payload)
