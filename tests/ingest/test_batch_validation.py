"""A handed-over batch validated chunk by chunk: every record lands once, whatever the chunk
boundaries."""

from __future__ import annotations

import json
from typing import NamedTuple

import pyarrow as pa
import pytest

from aftershock.errors import EventError
from aftershock.settings import IngestSettings
from ingest.batch_validation import CHUNK_RECORDS, chunk_size, validate
from ingest.handoff import Skipped, pack, unpack
from lake.arrow_format import DeadLetter
from schemas.examples import example_event


class _Record(NamedTuple):
    offset: int
    value: bytes | None
    key: bytes | None
    timestamp: int


@pytest.mark.parametrize("records", [1, 4_999, 5_000, 5_001, 7_700, 10_000, 12_345])
def test_chunks_are_as_few_as_the_limit_allows_and_equal(records: int) -> None:
    size = chunk_size(records)
    chunks = -(-records // size)
    assert size <= CHUNK_RECORDS
    assert chunks == -(-records // CHUNK_RECORDS)
    assert size * (chunks - 1) < records  # the last chunk is not empty


def test_a_batch_of_several_chunks_lands_each_record_once() -> None:
    body = json.loads(example_event("deployment").model_dump_json())
    count, broken = CHUNK_RECORDS + 2_345, {3, CHUNK_RECORDS // 2 + 2, CHUNK_RECORDS + 9}
    records = [_Record(100 + i, b"{not json" if i in broken else
                       json.dumps(body | {"event_id": f"e{i}"}).encode(), None, 1_700_000_000_000)
               for i in range(count)]
    handoff, fd = pack("audit.deployments", 1, 100, 100 + count, records)
    received = unpack(handoff, fd)
    try:
        acc = validate(received, IngestSettings())
    finally:
        received.close()
    table = pa.concat_tables(t for parts in acc.parts.values() for t in parts)
    landed = sorted(table["_offset"].to_pylist())
    assert landed == [100 + i for i in range(count) if i not in broken]
    assert sorted(table["event_id"].to_pylist()) == sorted(f"e{i}" for i in range(count) if i not in broken)
    assert sorted(d.offset for d in acc.dead) == sorted(100 + i for i in broken)


def _with_skipped(conf: IngestSettings) -> tuple[list[DeadLetter], list[str]]:
    """Validate a batch of two events around offsets 11-14 the consumer could not decode:
    (dead letters, event ids)."""
    body = json.loads(example_event("change").model_dump_json())
    records = [_Record(o, json.dumps(body | {"event_id": f"e{o}"}).encode(), None, 1_700_000_000_000)
               for o in (10, 15)]
    skipped = [Skipped(11, 15, "CorruptRecordError", "Record batch at offset 11 failed crc check")]
    handoff, fd = pack("audit.changes", 2, 10, 16, records, skipped)
    received = unpack(handoff, fd)
    try:
        acc = validate(received, conf)
    finally:
        received.close()
    table = pa.concat_tables(t for parts in acc.parts.values() for t in parts)
    return list(acc.dead), sorted(table["event_id"].to_pylist())


def test_skipped_offsets_become_one_dead_letter_naming_the_range() -> None:
    dead, events = _with_skipped(IngestSettings())
    assert events == ["e10", "e15"]
    assert [(d.reason, d.error_class, d.topic, d.partition, d.offset, d.raw, d.key)
            for d in dead] == [("undecodable", "CorruptRecordError", "audit.changes", 2, 11, b"", None)]
    message = dead[0].error_message
    assert message.startswith("offsets 11-14 of audit.changes[2] could not be decoded")
    assert message.endswith("CorruptRecordError: Record batch at offset 11 failed crc check")


def test_skipped_offsets_stop_the_batch_under_bad_data_fail() -> None:
    with pytest.raises(EventError, match=r"audit\.changes\[2\]@11: undecodable: offsets 11-14"):
        _with_skipped(IngestSettings(bad_data="fail"))
