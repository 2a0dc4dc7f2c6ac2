"""link_lake_lag.sql and link_deployment_context.sql worked by hand: the lake's lag (mean of
ln(1 + minutes) to the nearest deployment touching the named component, shrunk toward 60 minutes
worth 5 incidents), the latest deployment touching the component, time in lags and the number of
the incident's candidates."""

from __future__ import annotations

import math

import duckdb
import pytest

from analytics import queries

# (incident, deployment, service, minutes before impact)
FEATURES = [("I1", "D1", "svc", 30.0), ("I1", "D2", "svc", 300.0), ("I1", "D3", "svc", -5.0),
            ("I2", "D4", "svc", 120.0), ("I2", "D5", "svc", 10.0), ("I3", "D6", "svc", 50.0)]
# (incident, deployment, touches the named component): I3 names none that anything touched
SHARES = [("I1", "D1", False), ("I1", "D2", True), ("I1", "D3", True), ("I2", "D4", True),
          ("I2", "D5", True), ("I3", "D6", False)]


@pytest.fixture()
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute("CREATE TEMP TABLE a_deployment_features (incident_id VARCHAR, deployment_id VARCHAR, "
                       "service_name VARCHAR, minutes_before DOUBLE)")
    connection.executemany("INSERT INTO a_deployment_features VALUES (?, ?, ?, ?)", FEATURES)
    connection.execute("CREATE TEMP TABLE a_change_shares (incident_id VARCHAR, deployment_id VARCHAR, "
                       "component BOOLEAN, risky BOOLEAN, lines_changed BIGINT)")
    connection.executemany("INSERT INTO a_change_shares VALUES (?, ?, ?, false, 10)", SHARES)
    queries.execute(connection, "link_lake_lag")
    queries.execute(connection, "link_deployment_context")
    return connection


def test_lake_lag_blends_nearest_component_deployments_with_prior(con: duckdb.DuckDBPyConnection) -> None:
    # I1: D2 at 300 min (D3 started after impact, D1 does not touch it); I2: D5 at 10 min
    expected = math.exp((math.log1p(300) + math.log1p(10) + 5 * math.log1p(60)) / 7) - 1
    incidents, lag = con.execute("SELECT incidents, lag_minutes FROM a_lake_lag").fetchone() or (0, 0.0)
    assert incidents == 2
    assert lag == pytest.approx(expected, rel=1e-12)


def test_latest_component_deployment_and_time_in_lags(con: duckdb.DuckDBPyConnection) -> None:
    lag = math.exp((math.log1p(300) + math.log1p(10) + 5 * math.log1p(60)) / 7) - 1
    rows = {d: (latest, lags) for d, latest, lags in con.execute(
        "SELECT deployment_id, latest_component, log_lags FROM a_deployment_context").fetchall()}
    assert {d for d, (latest, _) in rows.items() if latest} == {"D2", "D5"}
    assert rows["D1"][1] == pytest.approx(math.log1p(30 / lag), rel=1e-12)
    assert rows["D3"][1] == 0.0  # after impact: no time before it
    crowd = dict(con.execute("SELECT deployment_id, log_candidates FROM a_deployment_context").fetchall())
    assert crowd == pytest.approx({"D1": math.log(3), "D2": math.log(3), "D3": math.log(3), "D4": math.log(2),
                                   "D5": math.log(2), "D6": 0.0}, rel=1e-12)


def test_an_empty_lake_keeps_the_prior() -> None:
    connection = duckdb.connect()
    connection.execute("CREATE TEMP TABLE a_deployment_features (incident_id VARCHAR, deployment_id VARCHAR, "
                       "service_name VARCHAR, minutes_before DOUBLE)")
    connection.execute("CREATE TEMP TABLE a_change_shares (incident_id VARCHAR, deployment_id VARCHAR, "
                       "component BOOLEAN, risky BOOLEAN, lines_changed BIGINT)")
    queries.execute(connection, "link_lake_lag")
    row = connection.execute("SELECT incidents, lag_minutes FROM a_lake_lag").fetchone()
    assert row == (0, pytest.approx(60.0))
