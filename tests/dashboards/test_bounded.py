"""Every board connection is a bounded session: a page's queries stop at the query timeout and
the memory cap (``AFTERSHOCK_QUERY__...``) with one error naming the limit, on the real stored
model of the hand-checked lake."""

from __future__ import annotations

from pathlib import Path

import pytest

from aftershock.errors import AnalyticsError
from aftershock.settings import QuerySettings
from analytics.board.filters import Filters
from analytics.board.overview import overview
from analytics.board.rules import rules_history
from analytics.board.source import locate
from analytics.model import LinkParams


def test_a_board_query_is_stopped_by_a_tiny_timeout(fixture_lake: Path) -> None:
    src = locate(fixture_lake, LinkParams(), 0.5, QuerySettings(timeout_s=0.001))
    with pytest.raises(AnalyticsError, match=r"query stopped after 0.001 s \(timeout\): raise --timeout"):
        rules_history(src, Filters())


def test_a_board_query_is_stopped_by_the_memory_cap(fixture_lake: Path) -> None:
    src = locate(fixture_lake, LinkParams(), 0.5, QuerySettings(memory_limit="1MB"))
    with pytest.raises(AnalyticsError, match=r"needs more than 1MB of memory \(memory limit\)"):
        overview(src, Filters())


def test_the_same_page_runs_within_ordinary_limits(fixture_lake: Path) -> None:
    src = locate(fixture_lake, LinkParams(), 0.5, QuerySettings(timeout_s=120, memory_limit="512MB"))
    assert src.limits.memory_limit == "512MB"
    # 6: the calibrated linking weights link I5 to D9 too (see tests/analytics/test_commands.py)
    assert overview(src, Filters())["headline"]["change_failure_rate"]["numerator"] == 6
