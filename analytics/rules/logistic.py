"""A small L2-regularised logistic regression (numpy).

Training data are rows of feature values with a count ``n`` and failures ``k`` each: binary
features may come aggregated as patterns (one per distinct set of active features), scaled
terms as one row per change. Newton-Raphson with a ridge penalty on the weights (not the
intercept) converges in a handful of steps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Pattern:
    active: tuple[int, ...]
    n: int
    k: int


@dataclass(frozen=True)
class Fit:
    intercept: float
    weights: tuple[float, ...]
    iterations: int


def design(patterns: Sequence[Pattern], features: int) -> np.ndarray:
    """The patterns as rows of 0/1 (column 0 = intercept, column i + 1 = feature i)."""
    x = np.zeros((len(patterns), features + 1))
    x[:, 0] = 1.0
    for row, p in enumerate(patterns):
        x[row, [a + 1 for a in p.active]] = 1.0
    return x


def fit(patterns: Sequence[Pattern], features: int, ridge: float = 1.0, max_iter: int = 50) -> Fit:
    """Maximise sum k log p + (n-k) log(1-p) - ridge/2 |w|^2, with logit p = b + sum w[active]."""
    n = np.array([p.n for p in patterns], dtype=float)
    k = np.array([p.k for p in patterns], dtype=float)
    return fit_matrix(design(patterns, features), n, k, ridge, max_iter)


def fit_matrix(x: np.ndarray, n: np.ndarray, k: np.ndarray, ridge: float = 1.0, max_iter: int = 50,
               start: np.ndarray | None = None) -> Fit:
    """The same fit on a design matrix ``x`` whose column 0 is the intercept (all ones); ``start``
    (intercept first) is where Newton's method begins, e.g. a fit with one column fewer."""
    features = x.shape[1] - 1
    beta = np.zeros(features + 1)
    if start is not None:
        beta[: len(start)] = start
    elif n.sum() and 0 < k.sum() < n.sum():
        beta[0] = np.log(k.sum() / (n.sum() - k.sum()))
    penalty = np.full(features + 1, ridge)
    penalty[0] = 0.0
    iteration = 0
    while iteration < max_iter:
        iteration += 1
        prob = 1.0 / (1.0 + np.exp(-np.clip(x @ beta, -35.0, 35.0)))
        grad = x.T @ (k - n * prob) - penalty * beta
        hess = (x * (n * prob * (1.0 - prob))[:, None]).T @ x + np.diag(penalty)
        step = np.linalg.lstsq(hess, grad, rcond=None)[0]
        beta = beta + step
        if float(np.abs(step).max(initial=0.0)) < 1e-8:
            break
    return Fit(float(beta[0]), tuple(float(b) for b in beta[1:]), iteration)
