"""The batch handoff between the worker's processes: records through an anonymous file, intact."""

from __future__ import annotations

import os
from typing import NamedTuple

from ingest.fast_path import lines_of
from ingest.handoff import Skipped, pack, unpack
from ingest.validate import line_value


class _Record(NamedTuple):
    offset: int
    value: bytes | None
    key: bytes | None
    timestamp: int


def test_values_offsets_keys_and_timestamps_arrive_as_sent() -> None:
    records = [_Record(7, b'{"a": 1}', b"k1", 1_700_000_000_000), _Record(8, None, None, -1),
               _Record(10, b"", b"", 5), _Record(11, b"line\nbreak \xff", None, 6)]
    skipped = [Skipped(9, 10, "CorruptRecordError", "failed crc check")]
    handoff, fd = pack("audit.changes", 2, 7, 12, records, skipped)
    received = unpack(handoff, os.dup(fd))
    os.close(fd)
    lines = lines_of(received.joined, received.lengths)
    try:
        assert (received.topic, received.partition, received.start, received.next_offset) == (
            "audit.changes", 2, 7, 12)
        assert [line_value(lines, i) for i in range(len(records))] == [r.value for r in records]
        assert list(received.offsets) == [r.offset for r in records]
        assert received.keys == [r.key for r in records]
        assert list(received.timestamps) == [r.timestamp for r in records]
        assert received.skipped == skipped
    finally:
        del lines
        received.close()


def test_many_values_cross_the_writev_limit() -> None:
    records = [_Record(i, str(i).encode() * (i % 7), None, i) for i in range(5000)]
    handoff, fd = pack("t", 0, 0, 5000, records)
    received = unpack(handoff, fd)
    lines = lines_of(received.joined, received.lengths)
    try:
        assert [line_value(lines, i) for i in range(5000)] == [r.value for r in records]
        assert received.skipped == []
    finally:
        del lines
        received.close()
