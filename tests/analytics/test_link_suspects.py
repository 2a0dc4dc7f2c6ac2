"""link_suspects.sql on evidence rows written by hand: the suspects that can have several rows
(a change shipped by two deployments, a reference named by two methods or twice by one) are
combined; every other row is a suspect on its own.

Worked by hand: I1's change C1 is shipped by D1 (0.40, with C2; C1's share 0.7) and by D2 (0.30):
only its strongest deployment counts (D1, 0.40: the deployments are alternatives), and a revert
0.80 -> 1 - 0.60 x 0.20 = 0.88, change_confidence 0.7. D3 ships nothing: time_window 0.50 and
rollback 0.60 -> 1 - 0.50 x 0.40 = 0.80. A1: explicit twice (0.95, 0.60) and agent_action 0.50 ->
1 - 0.05 x 0.50 = 0.975. C3 is shipped by D4 (0.20) and D5 (0.25) and named by nothing else: 0.25
from D5. C2 only through D1: 0.40, share 0.3. A2: agent_action 0.10. D6 ships C4 (share 0.6) and
C5 (0.4): both 0.15, the larger share first.
"""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from analytics import queries

EVIDENCE = [
    ("I1", "deployment", "D1", "time_window", 0.40),
    ("I1", "deployment", "D2", "time_window", 0.30),
    ("I1", "change", "C1", "revert", 0.80),
    ("I1", "deployment", "D3", "time_window", 0.50),
    ("I1", "deployment", "D3", "rollback", 0.60),
    ("I1", "agent_action", "A1", "explicit", 0.95),
    ("I1", "agent_action", "A1", "explicit", 0.60),
    ("I1", "agent_action", "A1", "agent_action", 0.50),
    ("I1", "agent_action", "A2", "agent_action", 0.10),
    ("I1", "deployment", "D4", "time_window", 0.20),
    ("I1", "deployment", "D5", "time_window", 0.25),
    ("I1", "deployment", "D6", "time_window", 0.15),
]
# deployment, change, changes shipped, share
SHIPPED = [("D1", "C1", 2, 0.7), ("D1", "C2", 2, 0.3), ("D2", "C1", 1, 1.0), ("D4", "C3", 1, 1.0),
           ("D5", "C3", 1, 1.0), ("D6", "C5", 2, 0.4), ("D6", "C4", 2, 0.6)]


@pytest.fixture()
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    queries.execute(connection, "link_evidence_table")
    connection.execute("CREATE TEMP TABLE a_deployment_changes (deployment_id VARCHAR, change_id VARCHAR, "
                       "matched_by VARCHAR, n_changes BIGINT)")
    connection.execute("CREATE TEMP TABLE a_change_shares (incident_id VARCHAR, deployment_id VARCHAR, "
                       "change_id VARCHAR, share DOUBLE)")
    for deployment, change, n, share in SHIPPED:
        connection.execute("INSERT INTO a_deployment_changes VALUES (?, ?, 'listed', ?)",
                           [deployment, change, n])
        connection.execute("INSERT INTO a_change_shares VALUES ('I1', ?, ?, ?)", [deployment, change, share])
    for incident, kind, ref, method, confidence in EVIDENCE:
        connection.execute("INSERT INTO a_link_evidence VALUES (?, ?, ?, ?, ?, ?, ?)",
                           [incident, kind, ref, method, confidence, f"{method} {confidence}",
                            f"{kind} {ref}"])
    queries.execute(connection, "link_suspects")
    yield connection
    connection.close()


def test_each_suspect_once_ranked_by_combined_confidence(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute("SELECT rank, suspect_kind, suspect_id, deployment_id, confidence, change_confidence "
                       "FROM a_links ORDER BY rank").fetchall()
    assert [r[:3] for r in rows] == [(1, "agent_action", "A1"), (2, "change", "C1"), (3, "deployment", "D3"),
                                     (4, "change", "C2"), (5, "change", "C3"), (6, "change", "C4"),
                                     (7, "change", "C5"), (8, "agent_action", "A2")]
    assert [r[3] for r in rows] == [None, "D1", "D3", "D1", "D5", "D6", "D6", None]
    assert [r[4] for r in rows] == pytest.approx([0.975, 0.88, 0.80, 0.40, 0.25, 0.15, 0.15, 0.10])
    assert [r[5] for r in rows] == pytest.approx([None, 0.7, None, 0.3, 1.0, 0.6, 0.4, None])


def test_lists_hold_each_methods_strongest_row_strongest_first(con: duckdb.DuckDBPyConnection) -> None:
    rows = {s: (m, e, p) for s, m, e, p in con.execute(
        "SELECT suspect_id, methods, evidence, provenance FROM a_links").fetchall()}
    assert rows["A1"] == (["explicit", "agent_action"], ["explicit 0.95", "agent_action 0.5"],
                          ["agent_action A1", "agent_action A1"])
    assert rows["C1"] == (["revert", "time_window"], ["revert 0.8", "time_window 0.4"],
                          ["change C1", "deployment D1"])
    assert rows["C2"] == (["time_window"], ["time_window 0.4"], ["deployment D1"])
