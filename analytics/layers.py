"""Layers that held: for each incident caused by a change, which of the defences it passed
(risk gate and its verification, review, staged rollout, automated rollback) held and which
failed, and org-level shares of incident-causing changes stopped at each layer; the gate's
recall on incident-causing changes against its flag rate, week by week, and the overrides
that preceded incidents. METRICS.md ("Layers that held") defines every figure.

Reads the model of :mod:`analytics.model` (``ensure`` first): ``a_gate_changes`` (gate decisions
folded per change), ``a_change_reviews`` and ``a_layers`` (one row per incident caused by a
change), built with the model and kept in a stored model like the rest of it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb

from analytics import queries
from analytics.stats import wilson

OVERRIDES_LISTED = 20


def share(numerator: int, denominator: int, covered: int) -> dict[str, Any]:
    """A proportion as the report prints them: rate, 95 % Wilson interval, coverage."""
    return {"numerator": numerator, "denominator": denominator,
            "rate": numerator / denominator if denominator else None,
            "interval": wilson(numerator, denominator),
            "coverage": covered / denominator if denominator else None}


def section(con: duckdb.DuckDBPyConnection, since: datetime, until: datetime) -> dict[str, Any]:
    """The report's ``layers`` section for incidents (and gate decisions) in [since, until)."""
    period = {"since": since, "until": until}
    org = queries.rows(con, "layers_org", period)[0]
    held = {r["layers_held"]: r["incidents"] for r in queries.rows(con, "layers_held_counts", period)}
    return {
        "incident_changes": org_table(org),
        "incidents_by_layers_held": [{"layers_held": n, "incidents": held.get(n, 0)} for n in range(4)],
        "incidents": queries.rows(con, "layers_rows", period),
        "gate": gate_effectiveness(con, period),
    }


def org_table(org: dict[str, Any]) -> dict[str, Any]:
    n = org["changes"]
    return {
        "changes": n,
        "gate_flagged": share(org["flagged"], n, org["gated"]),
        "caught_at_canary": share(org["caught_at_canary"], n, org["rollout_known"]),
        "rolled_back_before_impact": share(org["rolled_back_before_impact"], n, org["deployed"]),
        "reached_customers_through_every_layer": share(org["through_every_layer"], n,
                                                       org["all_layers_known"]),
    }


def gate_effectiveness(con: duckdb.DuckDBPyConnection, period: dict[str, Any]) -> dict[str, Any]:
    weeks = queries.rows(con, "layers_gate_trend", period)
    total = {k: sum(w[k] for w in weeks) for k in
             ("changes", "flagged", "incident_causing", "incident_causing_flagged", "overrides",
              "overrides_before_incidents")}
    return {
        **_rates(total),
        "by_week": [{"week": w["week"], **_rates(w)} for w in weeks],
        "overrides_before_incidents_listed": queries.rows(
            con, "layers_overrides", period | {"limit": OVERRIDES_LISTED}),
    }


def _rates(c: dict[str, Any]) -> dict[str, Any]:
    return {
        "flag_rate": share(c["flagged"], c["changes"], c["changes"]),
        "recall": share(c["incident_causing_flagged"], c["incident_causing"], c["incident_causing"]),
        "overrides_before_incidents": share(c["overrides_before_incidents"], c["overrides"], c["overrides"]),
    }


def of_incident(con: duckdb.DuckDBPyConnection, incident_id: str) -> dict[str, Any] | None:
    """The layers of one incident (its postmortem's section), None unless a change caused it."""
    found = queries.rows(con, "layers_of_incident", {"incident_id": incident_id})
    return found[0] if found else None
