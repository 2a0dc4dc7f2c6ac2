"""Intervals for the figures the report prints (pure functions, no I/O).

- :func:`wilson` - proportion k/n (Wilson score interval; never leaves [0, 1]).
- :func:`poisson_rate` - a count per unit of exposure (Byar's approximation to the exact
  Poisson interval).
- :func:`mantel_haenszel_rr` - relative risk across strata with the Greenland-Robins variance of
  log RR; a stratum where either group is empty contributes nothing.
- :func:`guard` - refuses comparisons of groups too small to say anything.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

Z95 = NormalDist().inv_cdf(0.975)


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """95 % Wilson score interval of k successes out of n (None when n == 0)."""
    if n <= 0:
        return None
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def poisson_rate(count: int, exposure: float, z: float = Z95) -> tuple[float, float] | None:
    """95 % interval of count / exposure, Byar's approximation of the exact Poisson limits."""
    if exposure <= 0:
        return None
    lower = 0.0 if count == 0 else count * (1 - 1 / (9 * count) - z / (3 * math.sqrt(count))) ** 3
    upper = (count + 1) * (1 - 1 / (9 * (count + 1)) + z / (3 * math.sqrt(count + 1))) ** 3
    return lower / exposure, upper / exposure


@dataclass(frozen=True)
class Stratum:
    """Failures and group sizes of the exposed and the reference group in one stratum."""

    exposed_failed: int
    exposed_n: int
    reference_failed: int
    reference_n: int


@dataclass(frozen=True)
class RelativeRisk:
    rr: float | None
    interval: tuple[float, float] | None
    informative_strata: int
    exposed_n: int
    reference_n: int
    failures: int


def mantel_haenszel_rr(strata: Sequence[Stratum], z: float = Z95) -> RelativeRisk:
    """RR_MH = sum(a*n0/N) / sum(b*n1/N) with the Greenland-Robins 95 % interval of log RR."""
    used = [s for s in strata if s.exposed_n > 0 and s.reference_n > 0]
    r = sum(s.exposed_failed * s.reference_n / _size(s) for s in used)
    q = sum(s.reference_failed * s.exposed_n / _size(s) for s in used)
    counts = (len(used), sum(s.exposed_n for s in used), sum(s.reference_n for s in used),
              sum(s.exposed_failed + s.reference_failed for s in used))
    if r == 0 or q == 0:
        return RelativeRisk(None, None, *counts)
    variance = sum(_gr_term(s) for s in used) / (r * q)
    log_rr, half = math.log(r / q), z * math.sqrt(max(variance, 0.0))
    return RelativeRisk(r / q, (math.exp(log_rr - half), math.exp(log_rr + half)), *counts)


def _size(s: Stratum) -> int:
    return s.exposed_n + s.reference_n


def _gr_term(s: Stratum) -> float:
    n = _size(s)
    a, b = s.exposed_failed, s.reference_failed
    return (s.exposed_n * s.reference_n * (a + b) - a * b * n) / (n * n)


def guard(rr: RelativeRisk, min_group: int, min_failures: int) -> str | None:
    """Why the comparison must not be shown, or None when the groups are large enough."""
    if rr.exposed_n < min_group or rr.reference_n < min_group:
        return (f"too few changes in strata shared with the reference: {rr.exposed_n} vs "
                f"{rr.reference_n} (need {min_group} each)")
    if rr.failures < min_failures:
        return f"too few failures in shared strata: {rr.failures} (need {min_failures})"
    if rr.rr is None:
        return "no failures in one of the groups: the ratio is 0 or unbounded"
    return None
