"""The region check of link_window.sql, worked by hand on model tables written directly.

Every deployment starts 30 minutes before its incident's impact on the incident's service, so its
confidence is 0.6 x exp(-30/120) = 0.467280, times 0.30 when both sides name regions and none is
shared. The regions are compared as bit masks, or as lists for an incident that names a region
past the 64th distinct one; both paths are exercised.
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
NEAR = 0.6 * math.exp(-30 / 120)
MANY = [f"zone-{i:03d}" for i in range(70)]  # more distinct incident regions than mask bits, numbered last

# incident -> (regions, {deployment: regions})
CASES: dict[str, tuple[list[str], dict[str, list[str]]]] = {
    "I-shared": (["eu-west-1", "us-east-1"], {"D-shared": ["us-east-1"], "D-other": ["ap-south-1"],
                                              "D-none": []}),
    "I-none": ([], {"D-any": ["eu-west-1"]}),
    "I-wide": (["eu-west-1", *MANY], {"D-wide-shared": [MANY[-1], "ap-south-1"], "D-wide-low": ["eu-west-1"],
                                      "D-wide-other": ["ap-south-1"], "D-wide-none": []}),
}
EXPECTED = {
    ("I-shared", "D-shared"): NEAR, ("I-shared", "D-other"): NEAR * 0.30, ("I-shared", "D-none"): NEAR,
    ("I-none", "D-any"): NEAR,
    ("I-wide", "D-wide-shared"): NEAR, ("I-wide", "D-wide-low"): NEAR,
    ("I-wide", "D-wide-other"): NEAR * 0.30, ("I-wide", "D-wide-none"): NEAR,
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
                       "environment VARCHAR, started_at TIMESTAMPTZ, rollback_of VARCHAR)")
    connection.execute("CREATE TEMP TABLE a_deployment_refs (deployment_id VARCHAR, kind VARCHAR, "
                       "value VARCHAR)")
    for n, (incident, (regions, deployments)) in enumerate(CASES.items()):
        impact, service = IMPACT + timedelta(days=3 * n), f"svc-{incident}"
        connection.execute("INSERT INTO a_incidents VALUES (?, 'production', ?, ?)",
                           [incident, impact, regions])
        connection.execute("INSERT INTO a_incident_services VALUES (?, ?, 0)", [incident, service])
        for deployment, named in deployments.items():
            connection.execute("INSERT INTO a_deployments VALUES (?, ?, 'production', ?, NULL)",
                               [deployment, service, impact - timedelta(minutes=30)])
            for region in named:
                connection.execute("INSERT INTO a_deployment_refs VALUES (?, 'region', ?)",
                                   [deployment, region])
    queries.execute(connection, "link_evidence_table")
    yield connection
    connection.close()


def test_regions_shared_disjoint_or_missing_decide_the_factor(con: duckdb.DuckDBPyConnection) -> None:
    queries.execute(con, "link_window", LinkParams().values())
    rows = con.execute("SELECT incident_id, ref_id, method, confidence FROM a_link_evidence").fetchall()
    assert {(i, d): c for i, d, _, c in rows} == pytest.approx(EXPECTED, rel=1e-12)
    assert {m for _, _, m, _ in rows} == {"time_window"}
    assert len(rows) == len(EXPECTED)
