"""The incidents page: the distribution of blast radius, the widest incidents and what made them
wide (impact minutes = duration x severity weight x weighted services), and incidents with no
credible cause (no suspect at the confidence threshold)."""

from __future__ import annotations

import math
from typing import Any

from analytics.board.filters import Filters
from analytics.board.session import median_interval, opened, resolve, rows, tables_for
from analytics.board.source import Source

WIDEST = 10
MAX_BINS = 40


def incidents(src: Source, filters: Filters) -> dict[str, Any]:
    with opened(src, tables_for(filters)) as con:
        v = resolve(con, filters, src)
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
        "impact_bins": bins(ended),
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


def bins(values: list[float], max_bins: int = MAX_BINS) -> list[dict[str, Any]]:
    """A histogram of ``values``: at most ``max_bins`` equal bins [low, high) of a round width (1,
    2 or 5 times a power of ten) from a multiple of it, the last one closed; empty bins included."""
    if not values:
        return []
    lowest, highest = min(values), max(values)
    width = _round_width((highest - lowest) / max_bins)
    start = math.floor(lowest / width) * width
    count = max(1, min(max_bins, math.floor((highest - start) / width) + 1))
    counts = [0] * count
    for v in values:
        counts[min(count - 1, math.floor((v - start) / width))] += 1
    return [{"low": start + i * width, "high": start + (i + 1) * width, "incidents": n}
            for i, n in enumerate(counts)]


def _round_width(raw: float) -> float:
    """The smallest of 1, 2, 5 x 10^k at least ``raw`` (1 for a range of zero)."""
    if raw <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
