"""A small L2-regularised logistic regression on binary features, in plain Python.

Training data come aggregated: one pattern per distinct set of active features with its count
``n`` and failures ``k`` (thousands of patterns stand for millions of changes). Newton-Raphson
with a ridge penalty on the weights (not the intercept) converges in a handful of steps.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


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


def fit(patterns: Sequence[Pattern], features: int, ridge: float = 1.0, max_iter: int = 50) -> Fit:
    """Maximise sum k log p + (n-k) log(1-p) - ridge/2 |w|^2, with logit p = b + sum w[active]."""
    beta = [0.0] * (features + 1)
    total_n = sum(p.n for p in patterns)
    total_k = sum(p.k for p in patterns)
    if total_n and 0 < total_k < total_n:
        beta[0] = math.log(total_k / (total_n - total_k))
    iteration = 0
    while iteration < max_iter:
        iteration += 1
        grad, hess = _derivatives(patterns, beta, ridge)
        step = _solve(hess, grad)
        beta = [b + s for b, s in zip(beta, step, strict=True)]
        if max(abs(s) for s in step) < 1e-8:
            break
    return Fit(beta[0], tuple(beta[1:]), iteration)


def _derivatives(patterns: Sequence[Pattern], beta: list[float], ridge: float
                 ) -> tuple[list[float], list[list[float]]]:
    """Gradient and negated Hessian of the penalised log-likelihood (index 0 = intercept)."""
    size = len(beta)
    grad = [0.0] + [-ridge * b for b in beta[1:]]
    hess = [[0.0] * size for _ in range(size)]
    for i in range(1, size):
        hess[i][i] = ridge
    for p in patterns:
        idx = (0, *(a + 1 for a in p.active))
        eta = sum(beta[i] for i in idx)
        prob = 1.0 / (1.0 + math.exp(-max(min(eta, 35.0), -35.0)))
        resid = p.k - p.n * prob
        curv = p.n * prob * (1.0 - prob)
        for i in idx:
            grad[i] += resid
            row = hess[i]
            for j in idx:
                row[j] += curv
    return grad, hess


def _solve(matrix: list[list[float]], rhs: list[float]) -> list[float]:
    """Solve matrix x = rhs by Gaussian elimination with partial pivoting."""
    n = len(rhs)
    a = [row[:] + [rhs[i]] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        a[col], a[pivot] = a[pivot], a[col]
        if abs(a[col][col]) < 1e-12:
            continue
        for r in range(col + 1, n):
            factor = a[r][col] / a[col][col]
            if factor:
                for c in range(col, n + 1):
                    a[r][c] -= factor * a[col][c]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        if abs(a[r][r]) < 1e-12:
            continue
        x[r] = (a[r][n] - sum(a[r][c] * x[c] for c in range(r + 1, n))) / a[r][r]
    return x
