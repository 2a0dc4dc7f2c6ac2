"""analytics.board: the dashboard's figures equal the report's on the hand-checked lake, and its
pure helpers (median interval, what-if curves, filters)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from analytics.board import explorer
from analytics.board.filters import Filters
from analytics.board.incidents import bins
from analytics.board.overview import overview
from analytics.board.rules import caught_at, curve, what_if
from analytics.board.session import median_interval
from analytics.board.source import locate
from analytics.metrics import ReportParams, build_report
from analytics.model import LinkParams
from analytics.store import connect
from tests.analytics.fixture import at


@pytest.fixture(scope="module")
def stored(lake: Path) -> Path:
    connect(lake, LinkParams(), 0.5).close()
    return lake


def test_overview_headline_equals_the_report_over_the_same_day(stored: Path,
                                                               con: duckdb.DuckDBPyConnection) -> None:
    src = locate(stored, LinkParams(), 0.5)
    assert src.status == "fresh"
    got = overview(src, Filters(since=date(2026, 11, 2), until=date(2026, 11, 2)))["headline"]
    want = build_report(con, ReportParams(since=at(0), until=at(1440)))["dora"]
    for key in ("change_failure_rate", "deployment_rework_rate"):
        assert got[key] == want[key]
    for key in ("lead_time_for_changes", "failed_deployment_recovery_time"):
        assert {k: got[key][k] for k in want[key]} == want[key]
    assert got["deployment_frequency"]["numerator"] == want["deployment_frequency"]["numerator"] == 10


def test_median_interval_matches_the_order_statistics_of_the_sql() -> None:
    assert median_interval([]) == {"n": 0, "median_minutes": None, "interval": None}
    assert median_interval([3.0, 1.0, 2.0, 4.0]) == {"n": 4, "median_minutes": 2.5, "interval": None}
    found = median_interval([float(i) for i in range(1, 101)])
    # ranks floor(50 - 9.8) = 40 and ceil(1 + 50 + 9.8) = 61
    assert found == {"n": 100, "median_minutes": 50.5, "interval": (40.0, 61.0)}


def test_curve_what_if_and_baseline_interpolation() -> None:
    items = [(3.0, True), (2.0, False), (2.0, True), (1.0, False)]
    points = curve(items)
    assert [(p["flagged"], p["caught"]) for p in points] == [(0.0, 0.0), (0.25, 0.5), (0.75, 1.0), (1.0, 1.0)]
    assert what_if(items, 2.0) == {"threshold": 2.0, "flagged": 3, "changes": 4, "flagged_share": 0.75,
                                  "caught": 2, "positives": 2, "caught_share": 1.0}
    assert caught_at(points, 0.5) == pytest.approx(0.75)  # half of the tie at 2.0 flagged at random
    assert len(curve([(float(i), i % 2 == 0) for i in range(1000)], points=50)) == 50


def test_filters_resolve_teams_and_days() -> None:
    teams = {"a": "t1", "b": "t1", "c": "t2"}
    assert Filters().selected_services(teams) is None
    assert Filters(teams=("t1",)).selected_services(teams) == ["a", "b"]
    assert Filters(services=("a", "c"), teams=("t1",)).selected_services(teams) == ["a"]
    since, until = Filters(since=date(2026, 11, 2), until=date(2026, 11, 3)).period(None, None)
    assert (until - since).days == 2
    with pytest.raises(Exception, match="no deployment"):
        Filters().period(None, None)


def test_histogram_bins_have_round_widths_and_keep_every_value() -> None:
    found = bins([0.0, 1.0, 2.5, 9.99, 10.0], max_bins=4)  # width 10/4 = 2.5, rounded up to 5
    assert [(b["low"], b["high"], b["incidents"]) for b in found] == [(0, 5, 3), (5, 10, 1), (10, 15, 1)]
    assert [(b["low"], b["high"], b["incidents"]) for b in bins([3.0, 3.0])] == [(3, 4, 2)]
    assert bins([]) == []
    many = bins([float(i) for i in range(1000)])
    assert len(many) <= 40 and sum(b["incidents"] for b in many) == 1000
    assert all(b["high"] - b["low"] == 50 for b in many)  # 999 / 40 = 25 -> 50


def test_the_postmortem_picker_offers_the_widest_incidents_and_counts_all(
        stored: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = locate(stored, LinkParams(), 0.5)
    every = explorer.choices(src, Filters())
    assert every["total"] == len(every["incidents"]) >= 3
    monkeypatch.setattr(explorer, "PICKABLE", 2)
    two = explorer.choices(src, Filters())
    assert two == {"total": every["total"], "incidents": every["incidents"][:2]}
    widths = [r["impact_minutes"] or 0 for r in every["incidents"]]
    assert widths == sorted(widths, reverse=True)
