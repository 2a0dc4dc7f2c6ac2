"""The features of link_deployment_features.sql and their score in link_score.sql, worked by hand
on model tables written directly.

Every deployment of the region cases starts 30 minutes before its incident's impact on the
incident's service (so each is the latest, and the latest successful, deployment), and with the
weights below scores 0.5 - ln 1.5 + 1 + 0.5, less 1 when both sides name regions and none is
shared, plus ln(share of the deployment's regions the incident names) when they share some; a
confidence is exp(score) / (1 + the sum over the incident's candidates). The regions are compared
as bit masks, or as lists for an incident that names a region past the 64th distinct one; both
paths are exercised. A separate incident checks the latest flags, failure, clock skew and the
window.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from analytics import queries
from analytics.model import LinkParams

IMPACT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
WEIGHTS = {"deploy_bias": 0.5, "deploy_log_hours": -1.0, "deploy_after": -2.0, "deploy_latest": 1.0,
           "deploy_latest_successful": 0.5, "deploy_failed": 0.5, "deploy_depth": -1.0,
           "deploy_other_region": -1.0, "deploy_component": 0.0, "deploy_risky": 0.0,
           "deploy_log_lines": 0.0, "deploy_region_coverage": 1.0, "deploy_latest_component": 0.0,
           "deploy_log_lags": 0.0, "deploy_lag_gap": 0.0,
           "deploy_component_lag": 0.0, "deploy_log_hours_lag": 0.0,
           "deploy_latest_lag": 0.0, "deploy_latest_successful_lag": 0.0,
           "deploy_log_candidates": 0.0}
# the per-method recalibration left out (scale 1, shift 0): confidences are the plain shares
WEIGHTS |= {f"calib_{m}_{p}": float(p == "scale")
            for m in ("time_window", "dependency", "rollback", "agent_action") for p in ("scale", "shift")}
PARAMS = LinkParams().with_weights(WEIGHTS)


def shares(**scores: float) -> dict[str, float]:
    total = 1 + sum(math.exp(v) for v in scores.values())
    return {k: math.exp(v) / total for k, v in scores.items()}


NEAR = 0.5 - math.log(1.5) + 1 + 0.5
SHARED = shares(**{"D-shared": NEAR, "D-other": NEAR - 1, "D-none": NEAR})
WIDE = shares(**{"D-wide-shared": NEAR, "D-wide-low": NEAR, "D-wide-other": NEAR - 1, "D-wide-none": NEAR})
MANY = [f"zone-{i:03d}" for i in range(70)]  # more distinct incident regions than mask bits, numbered last

# incident -> (regions, {deployment: regions})
CASES: dict[str, tuple[list[str], dict[str, list[str]]]] = {
    "I-shared": (["eu-west-1", "us-east-1"], {"D-shared": ["us-east-1"], "D-other": ["ap-south-1"],
                                              "D-none": []}),
    "I-none": ([], {"D-any": ["eu-west-1"]}),
    "I-wide": (["eu-west-1", *MANY], {"D-wide-shared": [MANY[-1], "ap-south-1"], "D-wide-low": ["eu-west-1"],
                                      "D-wide-other": ["ap-south-1"], "D-wide-none": []}),
    # a deployment that reached two regions incidents name, of which the incident names one
    "I-part": (["eu-west-1"], {"D-part": ["eu-west-1", "us-east-1"]}),
    "I-wide-part": ([MANY[0], *MANY[1:]], {"D-wide-part": [MANY[0], "us-east-1"]}),
}
EXPECTED = {
    **{("I-shared", d): c for d, c in SHARED.items()},
    ("I-none", "D-any"): shares(d=NEAR)["d"],
    **{("I-wide", d): c for d, c in WIDE.items()},
    # the share of the deployment's regions the incident names, ln(1/2) at weight 1; regions no
    # incident names (ap-south-1) do not count, on either path
    ("I-part", "D-part"): shares(d=NEAR + math.log(0.5))["d"],
    ("I-wide-part", "D-wide-part"): shares(d=NEAR + math.log(0.5))["d"],
}


@pytest.fixture()
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    connection.execute("CREATE TEMP TABLE a_incidents (incident_id VARCHAR, environment VARCHAR, "
                       "impact_started_at TIMESTAMPTZ, regions VARCHAR[])")
    connection.execute("CREATE TEMP TABLE a_incident_services (incident_id VARCHAR, service_name VARCHAR, "
                       "dependency_depth INTEGER)")
    connection.execute("CREATE TEMP TABLE a_deployments (deployment_id VARCHAR, service_name VARCHAR, "
                       "environment VARCHAR, started_at TIMESTAMPTZ, rollback_of VARCHAR, failed BOOLEAN, "
                       "last_status VARCHAR, rolled_back_by VARCHAR)")
    connection.execute("CREATE TEMP TABLE a_deployment_refs (deployment_id VARCHAR, kind VARCHAR, "
                       "value VARCHAR)")
    for n, (incident, (regions, deployments)) in enumerate(CASES.items()):
        impact, service = IMPACT + timedelta(days=3 * n), f"svc-{incident}"
        connection.execute("INSERT INTO a_incidents VALUES (?, 'production', ?, ?)",
                           [incident, impact, regions])
        connection.execute("INSERT INTO a_incident_services VALUES (?, ?, 0)", [incident, service])
        for deployment, named in deployments.items():
            connection.execute("INSERT INTO a_deployments VALUES (?, ?, 'production', ?, NULL, false, "
                               "'succeeded', NULL)",
                               [deployment, service, impact - timedelta(minutes=30)])
            for region in named:
                connection.execute("INSERT INTO a_deployment_refs VALUES (?, 'region', ?)",
                                   [deployment, region])
    queries.execute(connection, "link_evidence_table")
    yield connection
    connection.close()


def _score(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, float]]:
    queries.execute(con, "link_deployment_features", PARAMS.values())
    con.execute("CREATE TEMP TABLE a_agent_features (incident_id VARCHAR, event_id VARCHAR, tier VARCHAR, "
                "agent VARCHAR, depth INTEGER, minutes_before DOUBLE)")
    con.execute("CREATE TEMP TABLE a_change_shares (incident_id VARCHAR, deployment_id VARCHAR, "
                "component BOOLEAN, risky BOOLEAN, lines_changed BIGINT)")
    for step in ("link_lake_lag", "link_deployment_context", "link_score"):
        queries.execute(con, step, PARAMS.values())
    return con.execute("SELECT incident_id, ref_id, method, confidence FROM a_link_evidence").fetchall()


def test_regions_shared_disjoint_or_missing_decide_the_factor(con: duckdb.DuckDBPyConnection) -> None:
    rows = _score(con)
    assert {(i, d): c for i, d, _, c in rows} == pytest.approx(EXPECTED, rel=1e-12)
    assert {m for _, _, m, _ in rows} == {"time_window"}
    assert len(rows) == len(EXPECTED)


def test_latest_failed_skewed_and_out_of_window(con: duckdb.DuckDBPyConnection) -> None:
    impact = IMPACT + timedelta(days=30)
    con.execute("INSERT INTO a_incidents VALUES ('I-time', 'production', ?, [])", [impact])
    con.execute("INSERT INTO a_incident_services VALUES ('I-time', 'svc-time', 0)")
    placed = {"D-old": (-120, False), "D-ok": (-60, False), "D-failed": (-20, True), "D-after": (10, False),
              "D-late": (30, False), "D-stale": (-25 * 60, False)}
    for deployment, (minutes, failed) in placed.items():
        con.execute("INSERT INTO a_deployments VALUES (?, 'svc-time', 'production', ?, NULL, ?, ?, NULL)",
                    [deployment, impact + timedelta(minutes=minutes), failed,
                     "failed" if failed else "succeeded"])
    rows = {d: (m, c) for i, d, m, c in _score(con) if i == "I-time"}
    assert set(rows) == {"D-old", "D-ok", "D-failed", "D-after"}  # 30 min after and 25 h before are out
    # D-failed is the latest deployment, D-ok the latest successful one
    want = shares(**{"D-failed": 0.5 - math.log(1 + 20 / 60) + 1 + 0.5, "D-ok": 0.5 - math.log(2) + 0.5,
                     "D-old": 0.5 - math.log(3), "D-after": 0.5 - 2})
    assert rows["D-failed"] == ("rollback", pytest.approx(want["D-failed"]))
    assert rows["D-ok"] == ("time_window", pytest.approx(want["D-ok"]))
    assert rows["D-old"] == ("time_window", pytest.approx(want["D-old"]))
    assert rows["D-after"] == ("time_window", pytest.approx(want["D-after"]))
