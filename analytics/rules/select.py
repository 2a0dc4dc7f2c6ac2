"""Choose which size and change-feature measures enter the tuned rules, and how.

Forward selection with chronological validation inside the training period: the fixed columns
(categories, AI levels, criticality, the file's own rules) are always in; the candidates are
scaled terms (``weight * ln(1 + measure)``) and "at least" threshold rules. Each round fits the
model plus one candidate on the earlier part of the training changes and adds the candidate that
ranks the later part best (AUC), until the best gain is below ``MIN_GAIN`` or ``MAX_CHOSEN``
candidates are in. Fewer, validated terms keep the tuned file short enough to read.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analytics.rules.logistic import fit_matrix

MIN_GAIN = 0.0005
"""Validation AUC a candidate must add to be chosen."""
MAX_CHOSEN = 16
SELECTION_RIDGE = 1.0


@dataclass(frozen=True)
class Step:
    column: int
    auc_before: float
    auc_after: float


@dataclass(frozen=True)
class Data:
    """Training changes in time order: ``x`` columns are [intercept, fixed..., candidates...]."""

    x: np.ndarray
    failed: np.ndarray
    fixed: int
    validated_from: int  # first row of the validation part
    validated_at: str = ""  # its time, for the report


def rank_auc(scores: np.ndarray, failed: np.ndarray) -> float:
    """P(a failed change outscores a good one), ties one half (metrics.auc on arrays)."""
    pos = float(failed.sum())
    neg = len(failed) - pos
    if pos == 0 or neg == 0:
        return 0.5
    _, inverse, counts = np.unique(scores, return_inverse=True, return_counts=True)
    ranks = (np.cumsum(counts) - (counts - 1) / 2.0)[inverse]
    return float((ranks[failed].sum() - pos * (pos + 1) / 2) / (pos * neg))


def validation_auc(data: Data, columns: list[int], ridge: float) -> float:
    """AUC on the validation part of a fit on the earlier part, using ``columns`` of ``x``."""
    cut = data.validated_from
    x = data.x[:, columns]
    ones = np.ones(cut)
    model = fit_matrix(x[:cut], ones, data.failed[:cut].astype(float), ridge)
    scores = x[cut:, 1:] @ np.array(model.weights)
    return rank_auc(scores, data.failed[cut:])


def forward(data: Data) -> tuple[list[Step], float]:
    """The chosen candidate columns in order, and the validation AUC of the fixed columns alone."""
    chosen = list(range(data.fixed + 1))
    first = current = validation_auc(data, chosen, SELECTION_RIDGE)
    pool = [c for c in range(data.fixed + 1, data.x.shape[1]) if np.ptp(data.x[: data.validated_from, c]) > 0]
    steps: list[Step] = []
    while pool and len(steps) < MAX_CHOSEN:
        found = {c: validation_auc(data, [*chosen, c], SELECTION_RIDGE) for c in pool}
        best = max(pool, key=lambda c: (found[c], -c))
        if found[best] - current < MIN_GAIN:
            break
        steps.append(Step(best, current, found[best]))
        chosen.append(best)
        pool.remove(best)
        current = found[best]
    return steps, first
