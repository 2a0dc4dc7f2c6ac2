"""The report's figures on the hand-checked lake (fixture.py), period [T0, T0 + 1 day).

Production deployments started in the period: D1 D2 D3 D4 D5 D6 D7 D9 D10 D11 = 10 (D8 is staging;
D7's duplicate event and its second source fold into one deployment).
Failed: D4 (rolled back), D6 and D10 (failed status), D2 (brought in C2, I1's cause, later
reverted), D11 (shipped C10, later reverted) -> 5 / 10; D4 is also I2's cause: counted once.
Rework: D5 (rollback of D4) and D3 (ships the revert C5) -> 2 / 10.
Lead time (commit -> first succeeded production finish): C1 70+120 = 190, C2 190+300 = 490,
C4 611-540 = 71, C5 260-235 = 25, C10 1390-1300 = 90 -> median 90 of n = 5; C3, C7, C8, C9 never
succeeded -> 5 of 9 deployed changes covered; n = 5 is too small for a 95 % median interval.
Recovery: D2 via I1 210 -> 270 = 60, D4 via I2 370 -> 385 = 15 -> median 37.5; D6, D10 and D11 have
no incident and no later succeeded deployment of their service -> 2 of 5 covered.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pytest

from analytics.metrics import ReportParams, build_report
from analytics.model import LinkParams
from tests.analytics.fixture import ROUND_WEIGHTS, at


@pytest.fixture()
def report(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    return build_report(con, ReportParams(since=at(0), until=at(1440),
                                          link=LinkParams().with_weights(ROUND_WEIGHTS)))


def test_deployment_frequency(report: dict[str, Any]) -> None:
    got = report["dora"]["deployment_frequency"]
    assert (got["numerator"], got["denominator"], got["rate"], got["coverage"]) == (10, 1.0, 10.0, 1.0)
    assert got["interval"] == pytest.approx((4.7874, 18.3915), abs=1e-3)  # Byar, see test_stats


def test_change_failure_rate_counts_distinct_deployments(report: dict[str, Any]) -> None:
    got = report["dora"]["change_failure_rate"]
    assert (got["numerator"], got["denominator"], got["rate"], got["coverage"]) == (5, 10, 0.5, 1.0)
    assert got["interval"] == pytest.approx((0.236593, 0.763407), abs=1e-5)  # Wilson 5/10


def test_rework_rate(report: dict[str, Any]) -> None:
    got = report["dora"]["deployment_rework_rate"]
    assert (got["numerator"], got["denominator"], got["rate"]) == (2, 10, 0.2)


def test_lead_time_and_recovery_medians(report: dict[str, Any]) -> None:
    lead = report["dora"]["lead_time_for_changes"]
    assert (lead["n"], lead["denominator"], lead["median_minutes"], lead["interval"]) == (5, 9, 90.0, None)
    rec = report["dora"]["failed_deployment_recovery_time"]
    assert (rec["n"], rec["denominator"], rec["median_minutes"], rec["coverage"]) == (2, 5, 37.5, 0.4)


def test_linking_coverage(report: dict[str, Any]) -> None:
    # I1 -> C2, I2 -> C3, I4 -> A1; I3 has no suspect, I5's best (D9, 0.467) is under 0.5
    assert report["linking"] == {"incidents": 5, "linked": 3, "unlinked": 2, "linked_change": 2,
                                 "linked_deployment": 0, "linked_agent_action": 1}


def test_ai_levels_per_change(report: dict[str, Any]) -> None:
    # changes first seen in the period and deployed: none = C5, C8, C9 (C9 failed) -> 1/3;
    # suggested C4, C10 (reverted) -> 1/2; co_authored C3 -> 1/1; C2 was first seen before T0
    rates = {r["ai_level"]: (r["numerator"], r["denominator"]) for r in report["ai"]["change_failure_rate"]}
    assert rates == {"none": (1, 3), "suggested": (1, 2), "co_authored": (1, 1), "agent_authored": (0, 0),
                     "unknown": (0, 1)}


def test_relative_risk_refuses_tiny_groups(report: dict[str, Any]) -> None:
    for rr in report["ai"]["relative_risk"]:
        assert rr["status"] == "refused" and rr["rr"] is None and "too few" in rr["reason"]


def test_blast_radius_ranks_causal_changes_by_impact_minutes(report: dict[str, Any]) -> None:
    # I1: 60 min x sev2 0.5 x (payments crit1 1.0 / 1 + checkout crit2 0.5 / 2) = 37.5
    # I2: 15 min x sev1 1.0 x (checkout crit2 0.5) = 7.5
    top = [(r["change_id"], r["impact_minutes"]) for r in report["blast_radius"]["top_changes"]]
    assert top == [("payments@b2", 37.5), ("checkout#7", 7.5)]
    levels = {r["ai_level"]: r["recovery_minutes_median"] for r in report["ai"]["blast_radius"]}
    assert levels == {"agent_authored": 60.0, "co_authored": 15.0}


def test_agent_guardrails(report: dict[str, Any]) -> None:
    agents = report["agents"]
    assert (agents["destructive"], agents["destructive_executed"],
            agents["destructive_without_second_authorization"],
            agents["incidents_linked_to_agents"]) == (3, 2, 1, 1)
    assert {(a["consequence_tier"], a["decision"]): a["actions"] for a in agents["actions"]} == {
        ("destructive", "allowed"): 2, ("destructive", "denied"): 1, ("mutate", "asked"): 1,
        ("read", "allowed"): 1}
