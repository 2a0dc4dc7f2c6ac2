"""One incident's postmortem: the incident and its blast radius, a timeline of everything that
touched its affected services (and their dependents) before it, and ranked suspects with
confidence, evidence and source-native identifiers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import duckdb

from aftershock.errors import AnalyticsError
from analytics import layers, queries
from analytics.metrics import ReportParams, prepare
from lake.files import within_days

TIMELINE_TABLES = ("change", "deployment", "agent_action")


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
        "timeline": timeline(con, values, row),
        "layers": layers.of_incident(con, row["incident_id"]),
    }


def timeline(con: duckdb.DuckDBPyConnection, values: dict[str, Any],
             incident: dict[str, Any]) -> list[dict[str, Any]]:
    """The events of the window before ``incident`` until it ended, read from the files of the
    days it spans only (a day of margin on each side: no time zone can move an event out)."""
    since = incident["impact_started_at"] - timedelta(minutes=values["window_minutes"], days=1)
    until = (incident["ended_at"] or incident["impact_started_at"]) + timedelta(days=1)
    first, last = since.date().isoformat(), until.date().isoformat()
    lists = queries.rows(con, "timeline_files")[0]
    files = {f"{t}_files": within_days(list(lists[t] or []), first, last) for t in TIMELINE_TABLES}
    queries.execute(con, "first_copies_macro")
    return queries.rows(con, "postmortem_timeline", {**values, **files})
