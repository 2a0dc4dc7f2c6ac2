"""One incident's postmortem: the incident and its blast radius, a timeline of everything that
touched its affected services (and their dependents) before it, and ranked suspects with
confidence, evidence and source-native identifiers."""

from __future__ import annotations

from typing import Any

import duckdb

from aftershock.errors import AnalyticsError
from analytics import layers, queries
from analytics.metrics import ReportParams, prepare


def postmortem(con: duckdb.DuckDBPyConnection, incident: str, window_minutes: int | None = None,
               params: ReportParams | None = None, limit: int = 10) -> dict[str, Any]:
    """``incident`` is our incident id or a source-native id (PagerDuty id, ...)."""
    p = params or ReportParams()
    prepare(con, p)
    found = queries.rows(con, "postmortem_incident", {"incident": incident})
    if not found:
        raise AnalyticsError(f"no incident {incident!r} in the lake "
                             "(looked up by incident_id and source_ref)")
    if len(found) > 1:
        ids = ", ".join(r["incident_id"] for r in found)
        raise AnalyticsError(f"{incident!r} names several incidents ({ids}); pass one of those ids")
    row = found[0]
    window = window_minutes if window_minutes is not None else p.link.window_minutes
    values = {"incident_id": row["incident_id"], "window_minutes": window, "limit": limit}
    return {
        "incident": row,
        "window_minutes": window,
        "min_confidence": p.min_confidence,
        "suspects": queries.rows(con, "postmortem_suspects", values),
        "timeline": timeline(con, values),
        "layers": layers.of_incident(con, row["incident_id"]),
    }


def timeline(con: duckdb.DuckDBPyConnection, values: dict[str, Any]) -> list[dict[str, Any]]:
    queries.execute(con, "first_copies_macro")
    return queries.rows(con, "postmortem_timeline", values)
