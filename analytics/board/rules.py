"""The risk-rules page: the backtest of the rules file in use, the what-if curve of the flag
threshold (share of changes flagged against share of incident-causing changes caught, beside the
lines-added-only baseline), and the tuned proposal scored on the same changes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from analytics.board.filters import Filters
from analytics.board.session import opened, resolve, rows, service_teams
from analytics.board.source import Source
from analytics.rules.history import score_history
from analytics.rules.labels import label_from_outcomes
from analytics.rules.model import load_rules
from analytics.rules.toml_out import dumps
from analytics.rules.tune import tune

POINTS = 200
SPLIT_SHARE = 2 / 3
"""Without a chosen split, learn on the first two thirds of the period and score the rest."""


def rules_history(src: Source, filters: Filters, rules_file: Path | None = None,
                  split: date | None = None) -> dict[str, Any]:
    """The part of the page that does not depend on the service and team filters (the costly
    one: every change of history scored several times): the backtest of the rules file in use,
    the tuned proposal, and every scored change of the period after the split, with its service.
    Call it with the filters' period and environment only and pass the result to
    :func:`rules_board`, so choosing services or teams reuses it."""
    rules = load_rules(rules_file)
    with opened(src) as con:
        v = resolve(con, filters)
        at = _split(split, v["since"], v["until"])
        period = {"since": at, "until": v["until"]}
        label_from_outcomes(con, src.min_confidence)
        score_history(con, rules)
        scored = rows(con, "board_rule_rows", period)
        result = tune(con, rules, at)
        tuned: dict[str, Any] = {"status": "ok", "version": result.rules.version,
                                 "report": result.report,
                                 "toml": dumps(result.rules, f"Tuned from {rules.version} on changes "
                                               f"before {at.date()}.")}
        if result.report["train"]["failed"]:
            score_history(con, result.rules)
            tuned["rows"] = rows(con, "board_rule_rows", period)
        else:
            tuned = {"status": "refused",
                     "reason": f"no failed change before {at.date()}: nothing to learn from"}
        teams = service_teams(con)
    return {"rules_version": rules.version, "rules_file": str(rules_file or "analytics/rules/default.toml"),
            "split": at, "until": v["until"], "backtest": result.report["before"], "rows": scored,
            "tuned": tuned, "teams": teams}


def rules_board(history: dict[str, Any], filters: Filters) -> dict[str, Any]:
    """The page for the services and teams of ``filters`` (pure: from :func:`rules_history`)."""
    services = filters.selected_services(history["teams"])
    chosen = set(services) if services is not None else None

    def kept(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return found if chosen is None else [r for r in found if r["service_name"] in chosen]

    tuned = {k: v for k, v in history["tuned"].items() if k != "rows"}
    if history["tuned"]["status"] == "ok":
        tuned |= scored_curves(kept(history["tuned"]["rows"]))
    return {k: history[k] for k in ("rules_version", "rules_file", "split", "until", "backtest")} | {
        "rules": scored_curves(kept(history["rows"])), "tuned": tuned}


def _split(chosen: date | None, since: datetime, until: datetime) -> datetime:
    if chosen is not None:
        return datetime.combine(chosen, time(), tzinfo=UTC)
    middle = since + (until - since) * SPLIT_SHARE
    return datetime.combine(middle.date(), time(), tzinfo=UTC) + timedelta(days=0)


def scored_curves(found: list[dict[str, Any]]) -> dict[str, Any]:
    """Curves of the rules score and of lines added over the scored changes, and their scores."""
    return {"changes": len(found), "incident_causing": sum(r["caused_incident"] for r in found),
            "failed": sum(r["failed"] for r in found),
            "scores": sorted({float(r["score"]) for r in found}),
            "curve": curve([(float(r["score"]), bool(r["caused_incident"])) for r in found]),
            "baseline": curve([(float(r["lines_added"]), bool(r["caused_incident"])) for r in found]),
            "items": [(float(r["score"]), bool(r["caused_incident"])) for r in found]}


def curve(items: Sequence[tuple[float, bool]], points: int = POINTS) -> list[dict[str, float]]:
    """Flagging every change scoring at least each distinct score (highest first): the share of
    changes flagged and of positives caught; at most ``points`` points, ends included."""
    total, positives = len(items), sum(p for _, p in items)
    out = [{"threshold": float("inf"), "flagged": 0.0, "caught": 0.0}]
    taken = caught = 0
    for score, group in _ties(items):
        taken += len(group)
        caught += sum(group)
        out.append({"threshold": score, "flagged": taken / total,
                    "caught": caught / positives if positives else 0.0})
    if len(out) <= points:
        return out
    step = (len(out) - 1) / (points - 1)
    return [out[round(i * step)] for i in range(points)]


def _ties(items: Sequence[tuple[float, bool]]) -> list[tuple[float, list[bool]]]:
    groups: dict[float, list[bool]] = {}
    for score, positive in items:
        groups.setdefault(score, []).append(positive)
    return sorted(groups.items(), key=lambda g: -g[0])


def what_if(items: Sequence[tuple[float, bool]], threshold: float) -> dict[str, Any]:
    """Flag changes scoring at least ``threshold``: how many, and how many positives caught."""
    flagged = [p for s, p in items if s >= threshold]
    positives = sum(p for _, p in items)
    return {"threshold": threshold, "flagged": len(flagged), "changes": len(items),
            "flagged_share": len(flagged) / len(items) if items else None,
            "caught": sum(flagged), "positives": positives,
            "caught_share": sum(flagged) / positives if positives else None}


def caught_at(points: Sequence[dict[str, float]], flagged_share: float) -> float | None:
    """The share of positives a curve catches at ``flagged_share`` (linear between its points,
    which is the expected value of flagging part of a tie at random)."""
    for lo, hi in zip(points, points[1:], strict=False):
        if lo["flagged"] <= flagged_share <= hi["flagged"]:
            span = hi["flagged"] - lo["flagged"]
            part = (flagged_share - lo["flagged"]) / span if span else 1.0
            return lo["caught"] + part * (hi["caught"] - lo["caught"])
    return None
