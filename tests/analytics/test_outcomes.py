"""Change outcomes and incident -> cause links on the hand-checked lake (fixture.py), linked with
the round weights of fixture.ROUND_WEIGHTS (not the calibrated file) so every confidence can be
worked by hand from link_score.sql's formulas (skew 15 min):

  deployment: sigmoid(-1 - ln(1 + hours before) + 1 [latest] + 0.3 [latest successful]
                      + 1 [failed] - 1 x depth)
  agent:      sigmoid(-1 + 2 [destructive] | 1 [mutate_config] - ln(1 + hours before) - 1 x depth)

  I1 (impact 210): D2 30 min before, latest and successful: sigmoid(0.3 - ln 1.5) = 0.473658, with
                   C2's revert 0.80 -> 1 - 0.2 x 0.526342 = 0.894732; A5 mutate on checkout
                   (depth 1, 10 min): sigmoid(-2 - ln(7/6)) = 0.103944; C1 via D1 (150 min, not
                   latest): sigmoid(-1 - ln 3.5) = 0.095111
  I2 (impact 370): D4 10 min before, rolled back, latest: sigmoid(1 - ln(7/6)) = 0.699696 and the
                   responders' suspicion 0.70 -> 1 - 0.3 x 0.300304 = 0.909909 for C3 (D4 ships
                   only C3, by sha); D5 is a rollback: no suspect
  I3: nothing touched ledger -> no suspect at all
  I4 (impact 845): A1 destructive 5 min before: sigmoid(1 - ln(13/12)) = 0.715033; D6 failed 365
                   min before, latest: sigmoid(1 - ln(1 + 365/60)) = 0.277330 for C7 and C8 each,
                   the head of the two taking share e / (1 + e) = 0.731059 (change_head = 1)
  I5 (impact 1230): D9 (no change) 30 min before, latest and successful: 0.473658 < 0.5, unlinked
"""

from __future__ import annotations

import math

import duckdb
import pytest

from analytics.model import LinkParams
from analytics.outcomes import change_outcomes
from tests.analytics.fixture import ROUND_WEIGHTS

PARAMS = LinkParams().with_weights(ROUND_WEIGHTS)


def top(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str, float]]:
    change_outcomes(con, params=PARAMS)  # builds the model
    rows = con.execute("SELECT incident_id, suspect_kind, suspect_id, confidence FROM a_links WHERE rank = 1")
    return {i: (k, s, c) for i, k, s, c in rows.fetchall()}


def test_top_suspects_match_the_hand_worked_confidences(con: duckdb.DuckDBPyConnection) -> None:
    got = top(con)
    assert set(got) == {"I1", "I2", "I4", "I5"}  # I3 has no candidate at all
    assert got["I1"][:2] == ("change", "payments@b2")
    assert got["I1"][2] == pytest.approx(0.894732, abs=1e-6)
    assert got["I2"][:2] == ("change", "checkout#7")
    assert got["I2"][2] == pytest.approx(0.909909, abs=1e-6)
    assert got["I4"][:2] == ("agent_action", "A1")
    assert got["I4"][2] == pytest.approx(0.715033, abs=1e-6)
    assert got["I5"][:2] == ("deployment", "D9")
    assert got["I5"][2] == pytest.approx(0.473658, abs=1e-6)


def test_runner_up_suspects_and_the_share_of_each_change(con: duckdb.DuckDBPyConnection) -> None:
    change_outcomes(con, params=PARAMS)
    rows = con.execute("SELECT incident_id, suspect_id, confidence, change_confidence, methods FROM a_links "
                       "WHERE incident_id IN ('I1', 'I4') AND rank IN (2, 3) "
                       "ORDER BY incident_id, rank").fetchall()
    assert [(i, s) for i, s, _, _, _ in rows[:2]] == [("I1", "A5"), ("I1", "payments@a1")]
    assert {s for _, s, _, _, _ in rows[2:]} == {"search@g7", "search@h8"}
    assert [round(c, 6) for _, _, c, _, _ in rows] == [0.103944, 0.095111, 0.277330, 0.277330]
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
        "payments@b2": ("agent_authored", 120, True, "incident"),  # top suspect of I1 (0.895)
        "checkout#7": ("co_authored", 40, True, "incident"),  # squash merge found by sha c3m; I2
        "checkout@d4": ("suggested", 10, False, None),
        "payments@e5": ("none", 120, False, None),
        "search@g7": ("unknown", 8, False, None),  # D6 failed but shipped two changes
        "search@h8": ("none", 12, False, None),
        "search@i9": ("none", 3, True, "failed_deployment"),  # alone in failed D10
        "checkout@j10": ("suggested", 600, True, "reverted"),  # reverted by C11
    }


def test_threshold_decides_what_counts_as_linked(con: duckdb.DuckDBPyConnection) -> None:
    # At 0.9 only C3 (0.910) is still blamed for an incident; C2 (0.895) stays failed as reverted.
    reasons = dict(change_outcomes(con, min_confidence=0.9, params=PARAMS).filter("failed")
                   .project("change_id, failure_reason").fetchall())
    assert reasons == {"payments@b2": "reverted", "checkout#7": "incident",
                       "search@i9": "failed_deployment", "checkout@j10": "reverted"}
