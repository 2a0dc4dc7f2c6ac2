"""Classify one change: facts -> the rules' score, tier, fired rules (with why) and verification.

The facts go through ``analytics.rules.evaluate.facts_of``, the function that reads a change
event in history, so the gate and ``rules backtest`` see one change the same way: the change is
first written as a change payload plus envelope attributes (``service.criticality``,
``change.signals``, ``service.dependents``), exactly what an imported change event carries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from analytics.rules.evaluate import (
    CRITICALITY_ATTRIBUTE,
    Assessment,
    Facts,
    evaluate,
    facts_of,
    glob_matcher,
    signal_attributes,
)
from analytics.rules.features import feature_attributes
from analytics.rules.model import Rule, Rules, Tier
from gate.diff import FileDiff
from gate.services import BlastRadius


@dataclass(frozen=True)
class ChangeInput:
    """What the gate knows of one change, whatever its source."""

    change_id: str
    repository: str
    files: list[FileDiff]
    diff_known: bool  # the files carry their diff (git), not only paths
    lines_added: int | None  # totals when the source states them (a PR event) and no diff is read
    lines_deleted: int | None
    kind: str
    author: str | None
    author_kind: str
    ai: dict[str, Any]
    labels: list[str] = field(default_factory=list)
    head_sha: str | None = None
    title: str | None = None
    features: dict[str, float] = field(default_factory=dict)  # derived from history (gate/history.py)


@dataclass(frozen=True)
class FiredRule:
    id: str
    weight: float
    description: str
    why: list[str]


@dataclass(frozen=True)
class Classification:
    change: ChangeInput
    facts: Facts
    assessment: Assessment
    tier: Tier
    rules_version: str
    fired: list[FiredRule]
    category_paths: dict[str, list[str]]
    signals: dict[str, list[str]]
    blast: BlastRadius | None
    payload: dict[str, Any]
    attributes: dict[str, str]


def change_record(change: ChangeInput, signals: dict[str, list[str]] | None,
                  blast: BlastRadius | None) -> tuple[dict[str, Any], dict[str, str]]:
    """The change as a change event's payload and attributes (what history would hold)."""
    payload: dict[str, Any] = {
        "files": [{"path": f.path, "lines_added": f.lines_added if change.diff_known else None,
                   "lines_deleted": f.lines_deleted if change.diff_known else None}
                  for f in change.files],
        "lines_added": change.lines_added, "lines_deleted": change.lines_deleted,
        "ai": change.ai, "kind": change.kind, "author_kind": change.author_kind,
    }
    attributes: dict[str, str] = feature_attributes(change.features)
    if blast is not None and blast.from_catalog and blast.criticality is not None:
        attributes[CRITICALITY_ATTRIBUTE] = str(blast.criticality)
    names = tuple(signals) if signals is not None else None
    known = blast is not None and blast.from_catalog
    attributes |= signal_attributes(names, len(blast.dependents) if blast is not None and known else None)
    return payload, attributes


def classify(rules: Rules, change: ChangeInput, signals: dict[str, list[str]] | None,
             blast: BlastRadius | None) -> Classification:
    payload, attributes = change_record(change, signals, blast)
    facts = facts_of(payload, attributes)
    assessment = evaluate(rules, facts)
    tier = next(t for t in rules.tier if t.name == assessment.tier)
    cat_paths = {c.name: [p for p in facts.paths if glob_matcher(c.globs).match(p)]
                 for c in rules.category if c.name in assessment.categories}
    fired = [FiredRule(r.id, r.weight, r.description, why(r, facts, cat_paths, signals or {}))
             for r in rules.rule if r.id in assessment.rules_fired]
    return Classification(change, facts, assessment, tier, rules.version, fired, cat_paths,
                          signals or {}, blast, payload, attributes)


def _few(paths: list[str], limit: int = 3) -> str:
    more = f" and {len(paths) - limit} more" if len(paths) > limit else ""
    return ", ".join(paths[:limit]) + more


def why(rule: Rule, facts: Facts, cat_paths: dict[str, list[str]],
        signals: dict[str, list[str]]) -> list[str]:
    """One phrase per condition of ``rule`` (which held, since it fired)."""
    w = rule.when
    out = [f"touches {c} ({_few(cat_paths[c])})" for c in w.categories_any if c in cat_paths]
    out += [f"{s} in {_few(signals[s])}" for s in w.signals_any if s in signals]
    if w.ai_levels:
        out.append(f"AI level {facts.ai_level}")
    if w.kinds:
        out.append(f"kind {facts.kind}")
    if w.author_kinds:
        out.append(f"author kind {facts.author_kind}")
    if w.lines_changed_min is not None or w.lines_changed_max is not None:
        out.append(f"{facts.lines_changed} lines changed "
                   f"(range {w.lines_changed_min if w.lines_changed_min is not None else 0}.."
                   f"{w.lines_changed_max if w.lines_changed_max is not None else ''})")
    if w.lines_added_min is not None:
        out.append(f"{facts.lines_added} lines added >= {w.lines_added_min}")
    if w.lines_deleted_min is not None:
        out.append(f"{facts.lines_deleted} lines deleted >= {w.lines_deleted_min}")
    if w.files_min is not None:
        out.append(f"{facts.files} files >= {w.files_min}")
    out += [f"{name} {facts.features[name] / 1000:g} >= {value:g}" for name, value in w.feature_mins().items()
            if name in facts.features]
    if w.criticality_max is not None:
        out.append(f"service criticality {facts.criticality} <= {w.criticality_max}")
    if w.dependents_min is not None:
        out.append(f"{facts.dependents} dependent services >= {w.dependents_min}")
    return out or ["fires on every change"]


def decision_of(rules: Rules, tier: Tier) -> str:
    """The tier's decision: as set in the rules file, else allow for the lowest tier and
    require_review above it."""
    if tier.decision:
        return tier.decision
    return "allow" if tier.name == rules.tiers_ascending()[0].name else "require_review"


EXIT_CODES = {"allow": 0, "require_review": 10, "block": 11}


def final_decision(tier_decision: str, checked: list[Any] | None) -> str:
    """Without ``--check`` the tier's decision; with it, block when the tier blocks or an item
    blocks, require_review while a machine-checkable item could not be checked, else allow
    (``manual:`` items, plain text in the rules file, are listed but never decide)."""
    if checked is None or tier_decision == "block":
        return tier_decision
    machine = [i for i in checked if not i.id.startswith("manual:")]
    if any(i.met is False for i in machine):
        return "block"
    return "require_review" if any(i.met is None for i in machine) else "allow"
