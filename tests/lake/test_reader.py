"""land_events + open_lake: the lake contract other areas build on (real Parquet, real DuckDB)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from aftershock.settings import EVENT_TYPES
from ingest.backfill import land_events
from lake.manifest import snapshot
from lake.reader import open_lake
from schemas.examples import example_event

DAY = datetime(2026, 11, 2, 12, tzinfo=UTC)


def test_views_exist_typed_and_empty_for_an_empty_lake(tmp_path: Path) -> None:
    con = open_lake(tmp_path)
    for table in (*EVENT_TYPES, "dead_letter"):
        assert con.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)  # noqa: S608
    columns = dict((r[0], r[1]) for r in con.execute("DESCRIBE change").fetchall())
    assert columns["occurred_at"] == "TIMESTAMP WITH TIME ZONE"
    assert columns["attributes"] == "MAP(VARCHAR, VARCHAR)"
    assert columns["files"].startswith("STRUCT(path VARCHAR, lines_added BIGINT")
    assert columns["_offset"] == "BIGINT"
    incident = {r[0]: r[1] for r in con.execute("DESCRIBE incident").fetchall()}
    assert incident["affected_services"] == (
        "STRUCT(\"name\" VARCHAR, criticality BIGINT, dependency_depth BIGINT)[]")
    assert {"event_type", "_topic", "_partition", "_ingested_at"} <= set(incident)


def test_land_events_dedupes_and_partitions_by_occurred_at(tmp_path: Path) -> None:
    events = [example_event(EVENT_TYPES[i % len(EVENT_TYPES)], event_id=f"e{i}",
                            occurred_at=(DAY - timedelta(days=i // len(EVENT_TYPES) % 3)).isoformat())
              for i in range(50)]
    first = land_events(tmp_path, events)
    again = land_events(tmp_path, events[:10] + events[:5], chunk=12)  # retried and replayed
    assert (first.events, first.entries) == (50, 1)
    assert again.duplicates > 0
    con = open_lake(tmp_path)
    total = sum(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in EVENT_TYPES)  # type: ignore[index]  # noqa: S608
    assert total == 50
    days = con.execute("SELECT DISTINCT CAST(occurred_at AS DATE) FROM change ORDER BY 1").fetchall()
    assert len(days) == 3
    dirs = {p.parent.name for p in tmp_path.glob("event_type=change/date=*/*.parquet")}
    assert dirs == {f"date={(DAY - timedelta(days=d)).date()}" for d in range(3)}
    row = con.execute("SELECT files[1].path, ai.level, _topic, _offset FROM change WHERE event_id = 'e1'")
    assert row.fetchone() == ("src/app.py", "unknown", "backfill", 1)


def test_older_schema_files_stay_queryable(tmp_path: Path) -> None:
    land_events(tmp_path, [example_event("change", event_id="new")])
    old_path = next(tmp_path.glob("event_type=change/date=*/*.parquet"))
    table = pq.read_table(old_path).drop_columns(["reverts_change_id", "review_count"])
    older = old_path.with_name("older.parquet")
    pq.write_table(table.set_column(0, "event_id", pa.array(["old"])), older)
    state = snapshot(tmp_path)
    ref = dict(next(iter(state.live.values())))
    state.live[str(older.relative_to(tmp_path))] = ref | {"path": str(older.relative_to(tmp_path))}
    con = open_lake(tmp_path, state)
    rows = con.execute("SELECT event_id, review_count FROM change ORDER BY event_id").fetchall()
    assert rows == [("new", 2), ("old", None)]


def test_land_events_continues_offsets_and_takes_a_lazy_iterable(tmp_path: Path) -> None:
    land_events(tmp_path, [example_event("change", event_id=f"a{i}") for i in range(5)])
    lazy = (example_event("change", event_id=f"b{i}") for i in range(7))
    result = land_events(tmp_path, lazy, chunk=3)
    assert (result.events, result.entries) == (7, 3)
    rows = open_lake(tmp_path).execute(
        "SELECT event_id, _offset FROM change WHERE event_id LIKE 'b%' ORDER BY _offset").fetchall()
    assert rows == [(f"b{i}", 5 + i) for i in range(7)]
    assert snapshot(tmp_path).positions == {("backfill", 0): 12}
