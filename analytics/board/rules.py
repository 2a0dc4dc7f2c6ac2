"""The risk-rules page: the backtest of the rules file in use, the what-if curve of the flag
threshold (share of changes flagged against share of incident-causing changes caught, beside the
lines-added-only baseline), and the tuned proposal scored on the same changes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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
    the tuned proposal, and the scored changes of the period after the split counted per service
    and score (:func:`counts_by_service`).
    Call it with the filters' period and environment only and pass the result to
    :func:`rules_board`, so choosing services or teams reuses it."""
    rules = load_rules(rules_file)
    with opened(src) as con:
        v = resolve(con, filters, src)
        at = _split(split, v["since"], v["until"])
        period = {"since": at, "until": v["until"]}
        label_from_outcomes(con, src.min_confidence)
        score_history(con, rules)
        scored = counts_by_service(rows(con, "board_rule_rows", period))
        result = tune(con, rules, at)
        tuned: dict[str, Any] = {"status": "ok", "version": result.rules.version,
                                 "report": result.report,
                                 "toml": dumps(result.rules, f"Tuned from {rules.version} on changes "
                                               f"before {at.date()}.")}
        if result.report["train"]["failed"]:
            score_history(con, result.rules)
            tuned["counts"] = counts_by_service(rows(con, "board_rule_rows", period))
        else:
            tuned = {"status": "refused",
                     "reason": f"no failed change before {at.date()}: nothing to learn from"}
        teams = service_teams(con)
    return {"rules_version": rules.version, "rules_file": str(rules_file or "analytics/rules/default.toml"),
            "split": at, "until": v["until"], "backtest": result.report["before"], "counts": scored,
            "tuned": tuned, "teams": teams}


def rules_page(src: Source, filters: Filters, rules_file: Path | None = None,
               split: date | None = None) -> dict[str, Any]:
    """The page for ``filters``: :func:`rules_board` of :func:`rules_history` of their period
    (what the background rebuild stores for the default filters)."""
    return rules_board(rules_history(src, period_of(filters), rules_file, split), filters)


def period_of(filters: Filters) -> Filters:
    """``filters`` without services and teams (what :func:`rules_history` takes)."""
    return filters.everywhere()


def rules_board(history: dict[str, Any], filters: Filters) -> dict[str, Any]:
    """The page for the services and teams of ``filters`` (pure: from :func:`rules_history`)."""
    services = filters.selected_services(history["teams"])

    def kept(found: dict[str, Any]) -> dict[str, Any]:
        chosen = found if services is None else {s: found[s] for s in services if s in found}
        return merged(chosen.values())

    tuned = {k: v for k, v in history["tuned"].items() if k != "counts"}
    if history["tuned"]["status"] == "ok":
        tuned |= scored_curves(kept(history["tuned"]["counts"]))
    return {k: history[k] for k in ("rules_version", "rules_file", "split", "until", "backtest")} | {
        "rules": scored_curves(kept(history["counts"])), "tuned": tuned}


def counts_by_service(found: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Scored changes (``board_rule_rows``) counted per service: per score [score, changes,
    incident-causing, failed] and per lines added [lines, changes, incident-causing], each sorted
    by value (a few thousand numbers where the changes are hundreds of thousands)."""
    scores: dict[str, dict[float, list[int]]] = {}
    lines: dict[str, dict[float, list[int]]] = {}
    for r in found:
        caused, failed = int(bool(r["caused_incident"])), int(bool(r["failed"]))
        _add(scores.setdefault(r["service_name"], {}), float(r["score"]), (1, caused, failed))
        _add(lines.setdefault(r["service_name"], {}), float(r["lines_added"]), (1, caused))
    return {s: {"scores": _listed(scores[s]), "lines": _listed(lines[s])} for s in sorted(scores)}


def merged(parts: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The counts of several services as one (same shape as one service's)."""
    scores: dict[float, list[int]] = {}
    lines: dict[float, list[int]] = {}
    for part in parts:
        for value, *numbers in part["scores"]:
            _add(scores, value, numbers)
        for value, *numbers in part["lines"]:
            _add(lines, value, numbers)
    return {"scores": _listed(scores), "lines": _listed(lines)}


def _add(into: dict[float, list[int]], value: float, numbers: Sequence[int]) -> None:
    found = into.setdefault(value, [0] * len(numbers))
    for i, n in enumerate(numbers):
        found[i] += n


def _listed(counted: dict[float, list[int]]) -> list[list[float]]:
    return [[value, *numbers] for value, numbers in sorted(counted.items())]


def _split(chosen: date | None, since: datetime, until: datetime) -> datetime:
    if chosen is not None:
        return datetime.combine(chosen, time(), tzinfo=UTC)
    middle = since + (until - since) * SPLIT_SHARE
    return datetime.combine(middle.date(), time(), tzinfo=UTC) + timedelta(days=0)


def scored_curves(counted: dict[str, Any]) -> dict[str, Any]:
    """Curves of the rules score and of lines added over counted scored changes (one service's
    or :func:`merged`), the distinct scores and the counts per score (for :func:`what_if`)."""
    scores = [(float(v), int(n), int(c)) for v, n, c, _ in counted["scores"]]
    return {"changes": sum(n for _, n, _ in scores), "incident_causing": sum(c for _, _, c in scores),
            "failed": int(sum(f for *_, f in counted["scores"])),
            "scores": [v for v, _, _ in scores],
            "curve": curve_of(scores),
            "baseline": curve_of([(float(v), int(n), int(c)) for v, n, c in counted["lines"]]),
            "counts": scores}


Counts = Sequence[tuple[float, int, int]]
"""(value, changes, positives) per distinct value."""


def counted(items: Sequence[tuple[float, bool]]) -> list[tuple[float, int, int]]:
    """Scored items as :data:`Counts` (ascending value)."""
    groups: dict[float, list[int]] = {}
    for score, positive in items:
        _add(groups, score, (1, int(positive)))
    return [(value, n, k) for value, (n, k) in sorted(groups.items())]


def curve(items: Sequence[tuple[float, bool]], points: int = POINTS) -> list[dict[str, float]]:
    """Flagging every change scoring at least each distinct score (highest first): the share of
    changes flagged and of positives caught; at most ``points`` points, ends included."""
    return curve_of(counted(items), points)


def curve_of(counts: Counts, points: int = POINTS) -> list[dict[str, float]]:
    """:func:`curve` of counted items."""
    total, positives = sum(n for _, n, _ in counts), sum(k for _, _, k in counts)
    out = [{"threshold": float("inf"), "flagged": 0.0, "caught": 0.0}]
    taken = caught = 0
    for score, n, k in sorted(counts, key=lambda g: -g[0]):
        taken += n
        caught += k
        out.append({"threshold": score, "flagged": taken / total,
                    "caught": caught / positives if positives else 0.0})
    if len(out) <= points:
        return out
    step = (len(out) - 1) / (points - 1)
    return [out[round(i * step)] for i in range(points)]


def what_if(items: Sequence[tuple[float, bool]], threshold: float) -> dict[str, Any]:
    """Flag changes scoring at least ``threshold``: how many, and how many positives caught."""
    return what_if_of(counted(items), threshold)


def what_if_of(counts: Counts, threshold: float) -> dict[str, Any]:
    """:func:`what_if` of counted items."""
    changes, positives = sum(n for _, n, _ in counts), sum(k for _, _, k in counts)
    flagged = sum(n for s, n, _ in counts if s >= threshold)
    caught = sum(k for s, _, k in counts if s >= threshold)
    return {"threshold": threshold, "flagged": flagged, "changes": changes,
            "flagged_share": flagged / changes if changes else None,
            "caught": caught, "positives": positives,
            "caught_share": caught / positives if positives else None}


def caught_at(points: Sequence[dict[str, float]], flagged_share: float) -> float | None:
    """The share of positives a curve catches at ``flagged_share`` (linear between its points,
    which is the expected value of flagging part of a tie at random)."""
    for lo, hi in zip(points, points[1:], strict=False):
        if lo["flagged"] <= flagged_share <= hi["flagged"]:
            span = hi["flagged"] - lo["flagged"]
            part = (flagged_share - lo["flagged"]) / span if span else 1.0
            return lo["caught"] + part * (hi["caught"] - lo["caught"])
    return None
