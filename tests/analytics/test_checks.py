"""Checks as data: every SQL file in analytics/checks returns the rows that break its invariant.

They run on the hand-checked lake after the report has built every table; one deliberately broken
table shows that a check can fail.
"""

from __future__ import annotations

import duckdb
import pytest

from analytics import queries
from analytics.metrics import ReportParams, build_report
from tests.analytics.fixture import at

CHECKS = sorted(queries.names("analytics.checks"))


def test_there_are_checks() -> None:
    assert len(CHECKS) >= 5


@pytest.mark.parametrize("check", CHECKS)
def test_check_finds_no_violation(con: duckdb.DuckDBPyConnection, check: str) -> None:
    build_report(con, ReportParams(since=at(0), until=at(1440)))
    assert queries.rows(con, check, package="analytics.checks") == []


def test_a_broken_table_is_caught(con: duckdb.DuckDBPyConnection) -> None:
    build_report(con, ReportParams(since=at(0), until=at(1440)))
    con.execute("INSERT INTO a_deploy_outcomes SELECT * FROM a_deploy_outcomes WHERE deployment_id = 'D1'")
    assert queries.rows(con, "deployment_outcome_unique", package="analytics.checks") == [
        {"deployment_id": "D1", "rows": 2}]
