"""Change outcomes and incident -> cause links on the hand-checked lake (fixture.py).

Confidences worked by hand (decay 120 min, skew 15 min):
  I1 (impact 210): C2 revert 0.80 (+) D2 window 0.6*exp(-30/120) = 0.467280
                   -> 1 - 0.2 * 0.532720 = 0.893456; C1 via D1 0.6*exp(-150/120) = 0.171903;
                   A5 mutate on checkout (depth 1) 0.3*exp(-10/120)*0.35 = 0.096605
  I2 (impact 370): D4 explicit suspected 0.70, rollback 0.75, window 0.6*exp(-10/120) = 0.552026;
                   D4 ships C3 only -> 1 - 0.30 * 0.25 * 0.447974 = 0.966402; D5 is a rollback: no suspect
  I3: nothing touched ledger -> no suspect at all
  I4 (impact 845): A1 destructive 0.8*exp(-5/120) = 0.767351; D6 rollback 0.75 and window
                   0.6*exp(-365/120) = 0.028651, split over C7 and C8:
                   1 - (1 - 0.375) * (1 - 0.014326) = 0.383954 each
  I5 (impact 1230): D9 (no change) 0.6*exp(-30/120) = 0.467280 < 0.5 -> unlinked at 0.5
"""

from __future__ import annotations

import duckdb
import pytest

from analytics.outcomes import change_outcomes


def top(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str, float]]:
    change_outcomes(con)  # builds the model
    rows = con.execute("SELECT incident_id, suspect_kind, suspect_id, confidence FROM a_links WHERE rank = 1")
    return {i: (k, s, c) for i, k, s, c in rows.fetchall()}


def test_top_suspects_match_the_hand_worked_confidences(con: duckdb.DuckDBPyConnection) -> None:
    got = top(con)
    assert set(got) == {"I1", "I2", "I4", "I5"}  # I3 has no candidate at all
    assert got["I1"][:2] == ("change", "payments@b2")
    assert got["I1"][2] == pytest.approx(0.893456, abs=1e-6)
    assert got["I2"][:2] == ("change", "checkout#7")
    assert got["I2"][2] == pytest.approx(0.966402, abs=1e-6)
    assert got["I4"][:2] == ("agent_action", "A1")
    assert got["I4"][2] == pytest.approx(0.767351, abs=1e-6)
    assert got["I5"][:2] == ("deployment", "D9")
    assert got["I5"][2] == pytest.approx(0.467280, abs=1e-6)


def test_runner_up_suspects(con: duckdb.DuckDBPyConnection) -> None:
    change_outcomes(con)
    rows = con.execute("SELECT incident_id, suspect_id, confidence, methods FROM a_links "
                       "WHERE incident_id IN ('I1', 'I4') AND rank > 1 ORDER BY incident_id, rank").fetchall()
    assert [(i, s) for i, s, _, _ in rows] == [
        ("I1", "payments@a1"), ("I1", "A5"), ("I4", "search@g7"), ("I4", "search@h8")]
    assert [round(c, 6) for _, _, c, _ in rows] == [0.171903, 0.096605, 0.383954, 0.383954]
    assert rows[2][3] == ["rollback", "time_window"]


def test_batch_split_and_revert_evidence_is_provenanced(con: duckdb.DuckDBPyConnection) -> None:
    change_outcomes(con)
    row = con.execute("SELECT methods, provenance, deployment_id FROM a_links "
                      "WHERE incident_id = 'I1' AND suspect_id = 'payments@b2'").fetchone()
    assert row == (["revert", "time_window"], ["change payments@e5", "deployment D2"], "D2")


def test_change_outcomes_label_every_deployed_change(con: duckdb.DuckDBPyConnection) -> None:
    # C6 and C11 never reached production; C1's staging deployment D8 does not count.
    rel = change_outcomes(con)
    assert rel.columns == ["change_id", "service_name", "occurred_at", "ai_level", "lines_changed",
                           "path_categories", "failed", "failure_reason"]
    got = {r[0]: (r[3], r[4], r[6], r[7]) for r in rel.fetchall()}
    assert got == {
        "payments@a1": ("none", 10, False, None),
        "payments@b2": ("agent_authored", 120, True, "incident"),  # top suspect of I1 (0.893)
        "checkout#7": ("co_authored", 40, True, "incident"),  # squash merge found by sha c3m; I2
        "checkout@d4": ("suggested", 10, False, None),
        "payments@e5": ("none", 120, False, None),
        "search@g7": ("unknown", 8, False, None),  # D6 failed but shipped two changes
        "search@h8": ("none", 12, False, None),
        "search@i9": ("none", 3, True, "failed_deployment"),  # alone in failed D10
        "checkout@j10": ("suggested", 600, True, "reverted"),  # reverted by C11
    }


def test_threshold_decides_what_counts_as_linked(con: duckdb.DuckDBPyConnection) -> None:
    # At 0.95 only C3 (0.966) is still blamed for an incident; C2 stays failed as reverted.
    reasons = dict(change_outcomes(con, min_confidence=0.95).filter("failed")
                   .project("change_id, failure_reason").fetchall())
    assert reasons == {"payments@b2": "reverted", "checkout#7": "incident",
                       "search@i9": "failed_deployment", "checkout@j10": "reverted"}
