"""Ranking metrics of a risk score against a failed/not-failed label (RULES.md "Metrics").

Ties are handled as expected values over a random order within the tie: at a cutoff that splits
a group of equal scores, the group counts in proportion to the part of it that fits. A constant
score therefore measures exactly what random flagging would (AUC 0.5, precision = base rate).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

TOP_SHARES = (0.05, 0.10, 0.20)
EFFORT_SHARE = 0.20


@dataclass(frozen=True)
class Item:
    score: float
    failed: bool
    lines: int


@dataclass(frozen=True)
class _Group:
    count: int
    positives: int
    lines: int


def _groups(items: Iterable[Item]) -> list[_Group]:
    """Tie groups, highest score first."""
    ordered = sorted(items, key=lambda i: -i.score)
    out = []
    for _, grp in groupby(ordered, key=lambda i: i.score):
        members = list(grp)
        lines = sum(max(m.lines, 0) for m in members)
        out.append(_Group(len(members), sum(m.failed for m in members), lines))
    return out


def auc(groups: Sequence[_Group]) -> float | None:
    """P(a failed change outscores a good one), ties counting one half."""
    pos = sum(g.positives for g in groups)
    neg = sum(g.count - g.positives for g in groups)
    if pos == 0 or neg == 0:
        return None
    wins, neg_below = 0.0, neg
    for g in groups:
        g_neg = g.count - g.positives
        neg_below -= g_neg
        wins += g.positives * (neg_below + g_neg / 2)
    return wins / (pos * neg)


def average_precision(groups: Sequence[_Group]) -> float | None:
    """PR-AUC as average precision: sum over thresholds of (recall step) x precision."""
    pos = sum(g.positives for g in groups)
    if pos == 0:
        return None
    tp = seen = 0
    ap = 0.0
    for g in groups:
        tp += g.positives
        seen += g.count
        ap += (g.positives / pos) * (tp / seen)
    return ap


def _take(groups: Sequence[_Group], budget: float, cost: str) -> tuple[float, float]:
    """(expected changes, expected failed changes) within ``budget`` of ``cost`` (count|lines)."""
    used = taken = tp = 0.0
    for g in groups:
        size = g.count if cost == "count" else g.lines
        if size == 0:
            taken, tp = taken + g.count, tp + g.positives
            continue
        part = min(1.0, max(budget - used, 0.0) / size)
        if part <= 0:
            break
        used += part * size
        taken += part * g.count
        tp += part * g.positives
    return taken, tp


def at_top(groups: Sequence[_Group], share: float) -> dict[str, float | None]:
    total = sum(g.count for g in groups)
    pos = sum(g.positives for g in groups)
    flagged, tp = _take(groups, share * total, "count")
    return {"flagged": round(flagged, 2), "precision": tp / flagged if flagged else None,
            "recall": tp / pos if pos else None}


def effort_recall(groups: Sequence[_Group], share: float = EFFORT_SHARE) -> dict[str, float | None]:
    """Recall when reviewing the top-ranked changes until ``share`` of all lines changed is spent."""
    lines = sum(g.lines for g in groups)
    pos = sum(g.positives for g in groups)
    flagged, tp = _take(groups, share * lines, "lines")
    total = sum(g.count for g in groups)
    return {"lines_share": share, "changes_share": flagged / total if total else None,
            "recall": tp / pos if pos else None}


def score_metrics(items: Iterable[Item]) -> dict[str, Any]:
    groups = _groups(items)
    return {
        "auc": auc(groups),
        "pr_auc": average_precision(groups),
        "at_top": {f"{round(s * 100)}%": at_top(groups, s) for s in TOP_SHARES},
        "effort_aware": effort_recall(groups),
    }


def rule_metrics(fired: Sequence[tuple[str, ...]], failed: Sequence[bool], rule_ids: Sequence[str]
                 ) -> list[dict[str, Any]]:
    """Per rule: support (changes it fired on), precision, recall and lift over the base rate."""
    total, positives = len(failed), sum(failed)
    base = positives / total if total else 0.0
    out = []
    for rule_id in rule_ids:
        hits = [f for rules, f in zip(fired, failed, strict=True) if rule_id in rules]
        precision = sum(hits) / len(hits) if hits else None
        out.append({
            "rule": rule_id, "support": len(hits), "support_share": len(hits) / total if total else None,
            "failed": sum(hits), "precision": precision,
            "recall": sum(hits) / positives if positives else None,
            "lift": precision / base if precision is not None and base else None,
        })
    return out
