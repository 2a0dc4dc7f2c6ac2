"""A handed-over batch validated chunk by chunk: every record lands once, whatever the chunk
boundaries."""

from __future__ import annotations

import json
from typing import NamedTuple

import pyarrow as pa
import pytest

from aftershock.settings import IngestSettings
from ingest.batch_validation import CHUNK_RECORDS, chunk_size, validate
from ingest.handoff import pack, unpack
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
