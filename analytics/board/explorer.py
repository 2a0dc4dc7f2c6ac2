"""The postmortem explorer: the incidents to pick from, and one incident's postmortem (timeline,
blast radius, ranked suspects with evidence and source links) by our id or a source id."""

from __future__ import annotations

from typing import Any

from analytics.board.filters import Filters
from analytics.board.session import opened, resolve, rows, tables_for
from analytics.board.source import Source
from analytics.metrics import ReportParams
from analytics.postmortem import TIMELINE_TABLES, postmortem

PICKABLE = 500
"""How many of the widest incidents the picker offers (any other is found by pasting its id)."""


def choices(src: Source, filters: Filters) -> dict[str, Any]:
    """The filtered incidents to pick from: the :data:`PICKABLE` widest (id, title, severity,
    impact minutes, source ids), widest first, and how many the filters select."""
    with opened(src, tables_for(filters)) as con:
        found = rows(con, "board_incidents", resolve(con, filters, src))
    return {"total": len(found),
            "incidents": [{"incident_id": r["incident_id"], "title": r["title"], "severity": r["severity"],
                           "impact_minutes": r["impact_minutes"],
                           "source_refs": list(r["source_refs"] or [])} for r in found[:PICKABLE]]}


def explore(src: Source, incident: str) -> dict[str, Any]:
    """The postmortem of ``incident`` (our id or a source-native id) on the stored model."""
    params = ReportParams(min_confidence=src.min_confidence, link=src.params)
    with opened(src, TIMELINE_TABLES) as con:
        found = postmortem(con, incident.strip(), params=params)
    for s in found["suspects"]:
        s["links"] = [u for u in (s.get("source_url"),) if u]
    return found
