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


def validation_fit(data: Data, columns: list[int], ridge: float, start: np.ndarray | None = None
                   ) -> tuple[float, np.ndarray]:
    """AUC on the validation part of a fit on the earlier part using ``columns`` of ``x``, and the
    fit's coefficients (intercept first)."""
    cut = data.validated_from
    x = data.x[:, columns]
    model = fit_matrix(x[:cut], np.ones(cut), data.failed[:cut].astype(float), ridge, start=start)
    scores = x[cut:, 1:] @ np.array(model.weights)
    return rank_auc(scores, data.failed[cut:]), np.array([model.intercept, *model.weights])


def validation_auc(data: Data, columns: list[int], ridge: float) -> float:
    return validation_fit(data, columns, ridge)[0]


def forward(data: Data) -> tuple[list[Step], float]:
    """The chosen candidate columns in order, and the validation AUC of the fixed columns alone."""
    varies = [c for c in range(1, data.x.shape[1]) if np.ptp(data.x[: data.validated_from, c]) > 0]
    chosen = [0, *(c for c in varies if c <= data.fixed)]  # a constant fixed column changes no ranking
    pool = [c for c in varies if c > data.fixed]
    first, beta = validation_fit(data, chosen, SELECTION_RIDGE)
    current = first
    steps: list[Step] = []
    while pool and len(steps) < MAX_CHOSEN:
        found = {c: validation_fit(data, [*chosen, c], SELECTION_RIDGE, start=beta) for c in pool}
        best = max(pool, key=lambda c: (found[c][0], -c))
        if found[best][0] - current < MIN_GAIN:
            break
        steps.append(Step(best, current, found[best][0]))
        chosen.append(best)
        pool.remove(best)
        current, beta = found[best]
    return steps, first
