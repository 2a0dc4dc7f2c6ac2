"""The model reads each event type once from the snapshot's files with the views' dedupe rule
(first_landed_macro.sql): its event rows equal the views' rows, conflicting later copies included."""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics.model import LinkParams, build
from ingest.backfill import land_events
from lake.reader import open_lake
from tests.analytics.fixture import action, all_events, at, change, deploy

# (model table, its columns, the same columns from the view, the start of the late copy's row)
PAIRS = [
    ("a_agent_actions", "event_id, consequence_tier, decision, outcome, occurred_at",
     "SELECT event_id, consequence_tier, decision, outcome, occurred_at FROM agent_action",
     ("A4", "destructive")),
    ("a_deployment_events", "deployment_id, status, started_at, finished_at",
     "SELECT deployment_id, status, started_at, finished_at FROM deployment", ("D2", "succeeded", at(1))),
    ("a_change_events", "change_id, kind, lines_changed, committed_at",
     "SELECT change_id, kind, lines_added + lines_deleted, committed_at FROM change",
     ("payments@a1", "revert")),
]


@pytest.fixture(scope="module")
def lake_with_conflicts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("conflicts") / "lake"
    land_events(path, all_events())
    # Later copies of existing events with other content: the first landed copies must win.
    land_events(path, [change("payments@a1", "none", 99, 99, "config", -5000, kind="revert"),
                       deploy("D2", "payments", 1, 2, "succeeded", ["payments@b2"]),
                       action("A4", "payments", 9999, "destructive", "denied", "none", "blocked")])
    return path


@pytest.mark.parametrize(("table", "columns", "view_sql", "late"), PAIRS)
def test_model_event_rows_equal_the_views(lake_with_conflicts: Path, table: str, columns: str,
                                          view_sql: str, late: tuple[object, ...]) -> None:
    con = open_lake(lake_with_conflicts)
    build(con, LinkParams())
    model_rows = sorted(con.execute(f"SELECT {columns} FROM {table}").fetchall(), key=repr)  # noqa: S608
    view_rows = sorted(con.execute(view_sql).fetchall(), key=repr)
    assert model_rows == view_rows
    assert not [row for row in model_rows if row[:len(late)] == late]
    assert model_rows
