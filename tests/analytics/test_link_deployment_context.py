"""link_lake_lag.sql and link_deployment_context.sql worked by hand: the lake's lag (a mixture fit
of the ln(1 + minutes) delay over the deployments touching the named component, against a uniform
time in the window and "none", with a prior worth one incident), the latest deployment touching the
component, time in lags, the gap in the lake's own spread and the number of the incident's
candidates."""

from __future__ import annotations

import math

import duckdb
import pytest

from analytics import queries

WINDOW = 1440
# (incident, deployment, service, minutes before impact, failed)
FEATURES = [("I1", "D1", "svc", 30.0, False), ("I1", "D2", "svc", 300.0, False),
            ("I1", "D3", "svc", -5.0, False), ("I2", "D4", "svc", 120.0, False),
            ("I2", "D5", "svc", 10.0, False), ("I3", "D6", "svc", 50.0, False),
            ("I4", "D7", "svc", 8.0, True), ("I4", "D8", "svc", 200.0, False)]
# (incident, deployment, touches the named component): I3 names none that anything touched
SHARES = [("I1", "D1", False), ("I1", "D2", True), ("I1", "D3", True), ("I2", "D4", True),
          ("I2", "D5", True), ("I3", "D6", False), ("I4", "D7", True), ("I4", "D8", True)]


def _tables(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute("CREATE TEMP TABLE a_deployment_features (incident_id VARCHAR, deployment_id VARCHAR, "
                       "service_name VARCHAR, minutes_before DOUBLE, failed BOOLEAN)")
    connection.execute("CREATE TEMP TABLE a_change_shares (incident_id VARCHAR, deployment_id VARCHAR, "
                       "component BOOLEAN, risky BOOLEAN, lines_changed BIGINT)")


def _build(features: list[tuple[str, str, str, float, bool]],
           shares: list[tuple[str, str, bool]]) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    _tables(connection)
    connection.executemany("INSERT INTO a_deployment_features VALUES (?, ?, ?, ?, ?)", features)
    connection.executemany("INSERT INTO a_change_shares VALUES (?, ?, ?, false, 10)", shares)
    queries.execute(connection, "link_lake_lag", {"window_minutes": WINDOW})
    queries.execute(connection, "link_deployment_context")
    return connection


def _mixture(groups: list[list[float]]) -> tuple[float, float]:
    """The estimator written out: 50 rounds of expectation-maximisation from the prior."""
    mu0 = math.log(61.0)
    mu, s = mu0, 1.0
    for _ in range(50):
        sw = sx = sxx = 0.0
        for minutes in groups:
            xs = [math.log1p(m) for m in minutes]
            f = [WINDOW * math.exp(-0.5 * ((x - mu) / s) ** 2 - x) / (s * math.sqrt(2 * math.pi)) for x in xs]
            for x, fx in zip(xs, f, strict=True):
                w = fx / (sum(f) + 1)
                sw, sx, sxx = sw + w, sx + w * x, sxx + w * x * x
        mu = (sx + mu0) / (sw + 1)
        s = max(math.sqrt(max((sxx - 2 * mu * sx + mu * mu * sw + 1.0) / (sw + 1), 0.0)), 0.2)
    return mu, s


@pytest.fixture()
def con() -> duckdb.DuckDBPyConnection:
    return _build(FEATURES, SHARES)


def test_lake_lag_is_the_mixture_fit_of_component_deployments(con: duckdb.DuckDBPyConnection) -> None:
    # I1: D2 at 300 min (D3 started after impact, D1 does not touch it); I2: D4 and D5; I4: D8 (D7 failed)
    mu, s = _mixture([[300.0], [120.0, 10.0], [200.0]])
    incidents, lag, log_mean, spread = con.execute(
        "SELECT incidents, lag_minutes, log_mean, log_spread FROM a_lake_lag").fetchone() or (0, 0, 0, 0)
    assert incidents == 3
    assert (log_mean, spread) == (pytest.approx(mu, rel=1e-9), pytest.approx(s, rel=1e-9))
    assert lag == pytest.approx(math.exp(mu) - 1, rel=1e-9)


def test_later_innocent_deployments_do_not_pull_the_lag_short() -> None:
    # every incident: its cause about 300 min before impact; every third also a later deployment of
    # the same component 20-110 min before impact, which the nearest one alone would take
    features, shares, nearest = [], [], []
    for i in range(45):
        deployments = [(f"C{i}", 300.0 * math.exp(0.1 * ((i % 5) - 2)))]
        if i % 3 == 0:
            deployments.append((f"N{i}", 20.0 + 10 * (i % 10)))
        nearest.append(min(m for _, m in deployments))
        for deployment, minutes in deployments:
            features.append((f"I{i}", deployment, "svc", minutes, False))
            shares.append((f"I{i}", deployment, True))
    lag = (_build(features, shares).execute("SELECT lag_minutes FROM a_lake_lag").fetchone() or (0.0,))[0]
    nearest_lag = math.exp(sum(math.log1p(m) for m in nearest) / len(nearest)) - 1
    assert nearest_lag < 200
    assert 250 < lag < 350


def test_latest_component_deployment_time_in_lags_and_gap(con: duckdb.DuckDBPyConnection) -> None:
    mu, s = _mixture([[300.0], [120.0, 10.0], [200.0]])
    lag = math.exp(mu) - 1
    rows = {d: (latest, lags, gap) for d, latest, lags, gap in con.execute(
        "SELECT deployment_id, latest_component, log_lags, lag_gap FROM a_deployment_context"
    ).fetchall()}
    assert {d for d, (latest, _, _) in rows.items() if latest} == {"D2", "D5", "D7"}
    assert rows["D1"][1] == pytest.approx(math.log1p(30 / lag), rel=1e-9)
    assert rows["D1"][2] == pytest.approx(((math.log1p(30) - mu) / s) ** 2, rel=1e-9)
    assert rows["D3"][1] == 0.0  # after impact: no time before it
    assert rows["D3"][2] == pytest.approx((mu / s) ** 2, rel=1e-9)
    assert rows["D7"][2] == 0.0  # failed: shows during the rollout, not after the usual lag
    crowd = dict(con.execute("SELECT deployment_id, log_candidates FROM a_deployment_context").fetchall())
    assert crowd == pytest.approx({"D1": math.log(3), "D2": math.log(3), "D3": math.log(3),
                                   "D4": math.log(2), "D5": math.log(2), "D6": 0.0,
                                   "D7": math.log(2), "D8": math.log(2)}, rel=1e-12)


def test_an_empty_lake_keeps_the_prior() -> None:
    connection = duckdb.connect()
    _tables(connection)
    queries.execute(connection, "link_lake_lag", {"window_minutes": WINDOW})
    row = connection.execute("SELECT incidents, lag_minutes, log_spread FROM a_lake_lag").fetchone()
    assert row == (0, pytest.approx(60.0), pytest.approx(1.0))
