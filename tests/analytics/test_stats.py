"""Interval arithmetic, checked against values worked out by hand."""

from __future__ import annotations

import math

import pytest

from analytics.stats import RelativeRisk, Stratum, guard, mantel_haenszel_rr, poisson_rate, wilson


def test_wilson_5_of_10() -> None:
    # p = .5, z^2 = 3.841459: centre = (.5 + .192073) / 1.384146 = .5
    # half = 1.959964 * sqrt(.025 + .009604) / 1.384146 = 1.959964 * .186022 / 1.384146 = .263408
    lo, hi = wilson(5, 10)  # type: ignore[misc]
    assert (lo, hi) == (pytest.approx(0.236593, abs=1e-5), pytest.approx(0.763407, abs=1e-5))


def test_wilson_stays_inside_zero_one_and_refuses_empty() -> None:
    assert wilson(0, 3)[0] == 0.0  # type: ignore[index]
    assert wilson(3, 3)[1] == 1.0  # type: ignore[index]
    assert wilson(0, 0) is None


def test_poisson_rate_10_per_day() -> None:
    # Byar: 10 * (1 - 1/90 - 1.959964/(3*sqrt 10))^3 = 10 * .782292^3 = 4.7874
    #       11 * (1 - 1/99 + 1.959964/(3*sqrt 11))^3 = 11 * 1.186891^3 = 18.3917 (exact: 4.795, 18.390)
    lo, hi = poisson_rate(10, 1.0)  # type: ignore[misc]
    assert lo == pytest.approx(4.7874, abs=1e-3)
    assert hi == pytest.approx(18.3917, abs=1e-3)
    assert poisson_rate(10, 0.0) is None


def test_mantel_haenszel_two_strata() -> None:
    # stratum 1: exposed 10/100, reference 5/100 (N = 200); stratum 2: 4/20 vs 6/60 (N = 80)
    # R = 10*100/200 + 4*60/80 = 5 + 3 = 8 ; Q = 5*100/200 + 6*20/80 = 2.5 + 1.5 = 4 -> RR = 2
    # GR numerator: (100*100*15 - 10*5*200)/200^2 + (20*60*10 - 4*6*80)/80^2
    #             = (150000 - 10000)/40000 + (12000 - 1920)/6400 = 3.5 + 1.575 = 5.075
    # var = 5.075 / (8*4) = .158594 ; half = 1.959964 * .398239 = .780534
    got = mantel_haenszel_rr([Stratum(10, 100, 5, 100), Stratum(4, 20, 6, 60), Stratum(3, 7, 0, 0)])
    assert got.rr == pytest.approx(2.0)
    lo, hi = got.interval  # type: ignore[misc]
    assert lo == pytest.approx(2 * math.exp(-0.780534), rel=1e-5)
    assert hi == pytest.approx(2 * math.exp(0.780534), rel=1e-5)
    assert (got.informative_strata, got.exposed_n, got.reference_n, got.failures) == (2, 120, 160, 25)


def test_mantel_haenszel_without_failures_has_no_ratio() -> None:
    got = mantel_haenszel_rr([Stratum(0, 50, 3, 50)])
    assert got.rr is None and got.interval is None


def test_guard_refuses_small_groups_and_few_failures() -> None:
    assert guard(RelativeRisk(2.0, (1.0, 4.0), 1, 29, 500, 40), 30, 10) is not None
    assert guard(RelativeRisk(2.0, (1.0, 4.0), 1, 30, 500, 9), 30, 10) is not None
    assert guard(RelativeRisk(2.0, (1.0, 4.0), 1, 30, 500, 10), 30, 10) is None
