"""The changes page: change failure rate and blast radius by AI level, service, team, path
category and rollout strategy, and the relative risk of each AI level against ``none`` within
each group, stratified by service x change size as the report does (Mantel-Haenszel)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from analytics.board.filters import Filters
from analytics.board.session import opened, resolve, rows, tables_for, teams_of
from analytics.board.source import Source
from analytics.metrics import AI_LEVELS, ReportParams, proportion, relative_risk

DIMENSIONS = ("ai_level", "service_name", "team", "category", "strategy")


def changes(src: Source, filters: Filters) -> dict[str, Any]:
    return changes_of(change_cells(src, filters.everywhere()), filters, teams_of(src))


def change_cells(src: Source, filters: Filters) -> dict[str, Any]:
    """The cells every breakdown of the page sums, for the filters' period and environment on
    every service (the services chosen are kept by :func:`changes_of`, so choosing them needs no
    query): by strategy (``cells``) and by path category (``categories``)."""
    with opened(src, tables_for(filters)) as con:
        v = resolve(con, filters, src)
        cells = rows(con, "board_change_cells", v)
        categories = rows(con, "board_change_categories", v)
    return {"period": {"since": v["since"], "until": v["until"]}, "cells": cells,
            "categories": categories}


def changes_of(base: dict[str, Any], filters: Filters, teams: dict[str, str]) -> dict[str, Any]:
    """The page's figures from :func:`change_cells`' ``base``, for the services ``filters`` chooses
    (``teams`` maps service -> team)."""
    chosen = filters.selected_services(teams)
    keep = (lambda _: True) if chosen is None else set(chosen).__contains__
    cells = [{**c, "team": teams.get(c["service_name"], "unknown")}
             for c in base["cells"] if keep(c["service_name"])]
    categories = [{**c, "team": teams.get(c["service_name"], "unknown")}
                  for c in base["categories"] if keep(c["service_name"])]
    by = {dim: breakdown(categories if dim == "category" else cells, dim) for dim in DIMENSIONS}
    forest = [row for dim in DIMENSIONS[1:] for row in
              relative_risks(categories if dim == "category" else cells, dim)]
    return {"period": base["period"], "by": by, "relative_risk": relative_risks(cells, None) + forest}


def breakdown(cells: list[dict[str, Any]], dim: str) -> list[dict[str, Any]]:
    """Per value of ``dim``: changes, failed (rate, Wilson interval), incidents caused, their
    impact minutes; most changes first."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for cell in cells:
        groups[str(cell[dim])].append(cell)
    out = []
    for value, members in groups.items():
        n, failed = sum(c["changes"] for c in members), sum(c["failed"] for c in members)
        figure = proportion(failed, n, n)
        out.append({dim: value, "changes": n, "failed": failed, "rate": figure["rate"],
                    "low": figure["interval"][0] if figure["interval"] else None,
                    "high": figure["interval"][1] if figure["interval"] else None,
                    "incidents": sum(c["incidents"] for c in members),
                    "impact_minutes": float(sum(c["impact_minutes"] for c in members))})
    order = {level: i for i, level in enumerate(AI_LEVELS)}
    key = (lambda r: order.get(r[dim], 99)) if dim == "ai_level" else (lambda r: (-r["changes"], r[dim]))
    return sorted(out, key=key)


def relative_risks(cells: list[dict[str, Any]], dim: str | None) -> list[dict[str, Any]]:
    """Relative risk of each AI level against ``none`` within each value of ``dim`` (or over
    everything when None), Mantel-Haenszel over service x size strata; refused groups keep the
    reason."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for cell in cells:
        groups["all" if dim is None else str(cell[dim])].append(cell)
    out = []
    for value in sorted(groups):
        strata = _strata(groups[value])
        for level in AI_LEVELS[1:]:
            rr = relative_risk(strata, level, ReportParams())
            out.append({"dimension": dim or "all", "group": value, "ai_level": level, "rr": rr["rr"],
                        "low": rr["interval"][0] if rr["interval"] else None,
                        "high": rr["interval"][1] if rr["interval"] else None,
                        "exposed_changes": rr["exposed_changes"],
                        "reference_changes": rr["reference_changes"],
                        "failures": rr["failures"], "strata": rr["strata"], "status": rr["status"],
                        "reason": rr["reason"] or ""})
    return out


def _strata(cells: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Cells summed to (ai_level, service, size bucket), the strata the report compares within."""
    sums: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for c in cells:
        pair = sums[(c["ai_level"], c["service_name"], c["size_bucket"])]
        pair[0] += c["changes"]
        pair[1] += c["failed"]
    return [{"ai_level": a, "service_name": s, "size_bucket": b, "changes": n, "failed": k}
            for (a, s, b), (n, k) in sums.items()]
