"""The incidents page: the distribution of blast radius, the widest incidents and what made them
wide (impact minutes = duration x severity weight x weighted services), and incidents with no
credible cause (no suspect at the confidence threshold)."""

from __future__ import annotations

from typing import Any

from analytics.board.filters import Filters
from analytics.board.session import median_interval, opened, resolve, rows, tables_for
from analytics.board.source import Source

WIDEST = 10


def incidents(src: Source, filters: Filters) -> dict[str, Any]:
    with opened(src, tables_for(filters)) as con:
        v = resolve(con, filters)
        found = rows(con, "board_incidents", v)
    for r in found:
        r["widened_by"] = widened_by(r)
        r["source_refs"] = ", ".join(r["source_refs"] or [])
        r["best_methods"] = ", ".join(r["best_methods"] or [])
    ended = [r["impact_minutes"] for r in found if r["impact_minutes"] is not None]
    return {
        "period": {"since": v["since"], "until": v["until"]},
        "summary": {"incidents": len(found), "open": len(found) - len(ended),
                    "unlinked": sum(not r["linked"] for r in found),
                    "impact_minutes_total": sum(ended),
                    "impact_minutes_median": median_interval(ended)["median_minutes"]},
        "incidents": found,
        "widest": [r for r in found if r["impact_minutes"] is not None][:WIDEST],
        "no_cause": [r for r in found if not r["linked"]],
    }


def widened_by(r: dict[str, Any]) -> str:
    """The blast radius in words: its three factors and the reach behind the weighted services."""
    if r["impact_minutes"] is None:
        return "still open: no end time yet"
    reach = f"{r['services']} service{'s' if r['services'] != 1 else ''}"
    if r["max_dependency_depth"]:
        reach += f" (dependents to depth {r['max_dependency_depth']})"
    parts = [f"{r['duration_minutes']:.0f} min", f"sev {r['severity']} (x{r['severity_weight']:g})",
             f"{reach} weighing {r['weighted_services']:.2f}"]
    if r["regions"]:
        parts.append(f"{r['regions']} region{'s' if r['regions'] != 1 else ''}")
    if r["users_affected"]:
        parts.append(f"{r['users_affected']:,} users")
    return ", ".join(parts)
