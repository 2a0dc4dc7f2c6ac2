"""Events -> Arrow: the lake layout, tested without files or a broker."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
import pytest

from aftershock.settings import EVENT_TYPES
from lake.arrow_format import (
    TIMESTAMP,
    DeadLetter,
    Lineage,
    dead_letters_to_table,
    event_schema,
    events_to_table,
)
from schemas.event import EVENT_CLASSES
from schemas.examples import example_event

NOW = datetime(2026, 11, 3, tzinfo=UTC)


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_every_model_field_is_a_top_level_column(event_type: str) -> None:
    schema = event_schema(event_type)
    cls = EVENT_CLASSES[event_type]
    payload = cls.model_fields["payload"].annotation
    expected = [n for n in cls.model_fields if n != "payload"] + list(payload.model_fields)  # type: ignore[union-attr]
    assert set(schema.names) == set(expected) | {"_topic", "_partition", "_offset", "_ingested_at"}
    assert schema.field("occurred_at").type == TIMESTAMP
    assert schema.field("attributes").type == pa.map_(pa.string(), pa.string())


def test_nested_models_are_structs_and_lists_are_lists() -> None:
    change = event_schema("change")
    files = change.field("files").type
    assert pa.types.is_list(files)
    assert [f.name for f in files.value_type] == ["path", "lines_added", "lines_deleted", "category"]
    assert change.field("ai").type.field("level").type == pa.string()
    services = event_schema("incident").field("affected_services").type.value_type
    assert [f.name for f in services] == ["name", "criticality", "dependency_depth"]


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_round_trip_keeps_values(event_type: str) -> None:
    events = [example_event(event_type, event_id=f"e{i}") for i in range(3)]
    table = events_to_table(event_type, events, Lineage("t", [1, 1, 1], [7, 8, 9], NOW))
    rows = table.to_pylist()
    assert [r["event_id"] for r in rows] == ["e0", "e1", "e2"]
    assert [r["_offset"] for r in rows] == [7, 8, 9]
    assert rows[0]["occurred_at"] == events[0].occurred_at
    dumped = events[0].payload.model_dump()
    for name, value in dumped.items():
        if not isinstance(value, (dict, list)):
            assert rows[0][name] == value, name


def test_dead_letters_keep_raw_bytes() -> None:
    letter = DeadLetter("undecodable", "ValidationError", "bad", b"\xff\x00", b"k", None, "t", 2, 5, "ab12")
    row = dead_letters_to_table([letter], NOW).to_pylist()[0]
    assert row["raw"] == b"\xff\x00" and row["_partition"] == 2 and row["_offset"] == 5
    assert row["raw_sha256"] == "ab12"
