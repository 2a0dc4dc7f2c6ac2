"""Change outcomes and incident -> cause links on the hand-checked lake (fixture.py), linked with
the round weights of fixture.ROUND_WEIGHTS (not the calibrated file) so every confidence can be
worked by hand from link_score.sql (skew 15 min). Scores:

  deployment: -1 - ln(1 + hours before) + 1 [latest] + 0.3 [latest successful] + 1 [failed] - depth
  agent:      -1 + 2 [destructive] | 1 [mutate_config] - ln(1 + hours before) - depth

and each candidate's confidence is exp(score) / (1 + the sum of exp(score) over the incident's
candidates). Candidates (minutes before impact):

  I1 (impact 210): D1 150 (C1), D2 30 latest (C2), A5 mutate on checkout (depth 1) 10;
                   C2 adds its revert 0.80 by noisy OR
  I2 (impact 370): D4 10, rolled back, latest (ships only C3, by sha), A5 170; the responders'
                   suspicion of D4 (0.70) adds by noisy OR; D5 is a rollback: no suspect
  I3: nothing touched ledger -> no suspect at all
  I4 (impact 845): D6 365, failed, latest (C7 and C8; the head of the two takes the share
                   e / (1 + e), change_head = 1), A1 destructive 5
  I5 (impact 1230): D9 30 latest (no change), D3 980, D2 1050, D1 1170: D9 0.459 < 0.5, unlinked
"""

from __future__ import annotations

import math

import duckdb
import pytest

from analytics.model import LinkParams
from analytics.outcomes import change_outcomes
from tests.analytics.fixture import ROUND_WEIGHTS

PARAMS = LinkParams().with_weights(ROUND_WEIGHTS)


def deploy(minutes: float, latest: bool = False, successful: bool = False, failed: bool = False,
           depth: int = 0) -> float:
    return -1 - math.log(1 + minutes / 60) + latest + 0.3 * successful + failed - depth


def agent(minutes: float, tier: float = 0.0, depth: int = 0) -> float:
    return -1 + tier - math.log(1 + minutes / 60) - depth


def shares(**scores: float) -> dict[str, float]:
    total = 1 + sum(math.exp(v) for v in scores.values())
    return {k: math.exp(v) / total for k, v in scores.items()}


I1 = shares(D1=deploy(150), D2=deploy(30, True, True), A5=agent(10, depth=1))
I2 = shares(D4=deploy(10, True, failed=True), A5=agent(170))
I4 = shares(D6=deploy(365, True, failed=True), A1=agent(5, tier=2))
I5 = shares(D9=deploy(30, True, True), D3=deploy(980), D2=deploy(1050), D1=deploy(1170))
C2 = 1 - 0.2 * (1 - I1["D2"])  # 0.885
C3 = 1 - 0.3 * (1 - I2["D4"])  # 0.904


def top(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str, float]]:
    change_outcomes(con, params=PARAMS)  # builds the model
    rows = con.execute("SELECT incident_id, suspect_kind, suspect_id, confidence FROM a_links WHERE rank = 1")
    return {i: (k, s, c) for i, k, s, c in rows.fetchall()}


def test_top_suspects_match_the_hand_worked_confidences(con: duckdb.DuckDBPyConnection) -> None:
    got = top(con)
    assert set(got) == {"I1", "I2", "I4", "I5"}  # I3 has no candidate at all
    assert got["I1"][:2] == ("change", "payments@b2")
    assert got["I1"][2] == pytest.approx(C2, abs=1e-9)
    assert got["I2"][:2] == ("change", "checkout#7")
    assert got["I2"][2] == pytest.approx(C3, abs=1e-9)
    assert got["I4"][:2] == ("agent_action", "A1")
    assert got["I4"][2] == pytest.approx(I4["A1"], abs=1e-9)
    assert got["I5"][:2] == ("deployment", "D9")
    assert got["I5"][2] == pytest.approx(I5["D9"], abs=1e-9)
    assert 0.45 < I5["D9"] < 0.5 and 0.88 < C2 < 0.9 < C3 < 0.91


def test_runner_up_suspects_and_the_share_of_each_change(con: duckdb.DuckDBPyConnection) -> None:
    change_outcomes(con, params=PARAMS)
    rows = con.execute("SELECT incident_id, suspect_id, confidence, change_confidence, methods FROM a_links "
                       "WHERE incident_id IN ('I1', 'I4') AND rank IN (2, 3) "
                       "ORDER BY incident_id, rank").fetchall()
    assert [(i, s) for i, s, _, _, _ in rows[:2]] == [("I1", "A5"), ("I1", "payments@a1")]
    assert {s for _, s, _, _, _ in rows[2:]} == {"search@g7", "search@h8"}
    assert [c for _, _, c, _, _ in rows] == pytest.approx([I1["A5"], I1["D1"], I4["D6"], I4["D6"]], abs=1e-9)
    assert [r[3] for r in rows] == pytest.approx([None, 1.0, math.e / (1 + math.e), 1 / (1 + math.e)])
    assert rows[2][4] == ["rollback"]


def test_revert_evidence_is_provenanced_beside_the_deployment(con: duckdb.DuckDBPyConnection) -> None:
    change_outcomes(con, params=PARAMS)
    row = con.execute("SELECT methods, provenance, deployment_id FROM a_links "
                      "WHERE incident_id = 'I1' AND suspect_id = 'payments@b2'").fetchone()
    assert row == (["revert", "time_window"], ["change payments@e5", "deployment D2"], "D2")


def test_change_outcomes_label_every_deployed_change(con: duckdb.DuckDBPyConnection) -> None:
    # C6 and C11 never reached production; C1's staging deployment D8 does not count.
    rel = change_outcomes(con, params=PARAMS)
    assert rel.columns == ["change_id", "service_name", "occurred_at", "ai_level", "lines_changed",
                           "path_categories", "failed", "failure_reason"]
    got = {r[0]: (r[3], r[4], r[6], r[7]) for r in rel.fetchall()}
    assert got == {
        "payments@a1": ("none", 10, False, None),
        "payments@b2": ("agent_authored", 120, True, "incident"),  # top suspect of I1 (0.885)
        "checkout#7": ("co_authored", 40, True, "incident"),  # squash merge found by sha c3m; I2
        "checkout@d4": ("suggested", 10, False, None),
        "payments@e5": ("none", 120, False, None),
        "search@g7": ("unknown", 8, False, None),  # D6 failed but shipped two changes
        "search@h8": ("none", 12, False, None),
        "search@i9": ("none", 3, True, "failed_deployment"),  # alone in failed D10
        "checkout@j10": ("suggested", 600, True, "reverted"),  # reverted by C11
    }


def test_threshold_decides_what_counts_as_linked(con: duckdb.DuckDBPyConnection) -> None:
    # At 0.9 only C3 (0.904) is still blamed for an incident; C2 (0.885) stays failed as reverted.
    reasons = dict(change_outcomes(con, min_confidence=0.9, params=PARAMS).filter("failed")
                   .project("change_id, failure_reason").fetchall())
    assert reasons == {"payments@b2": "reverted", "checkout#7": "incident",
                       "search@i9": "failed_deployment", "checkout@j10": "reverted"}
