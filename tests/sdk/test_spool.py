"""The spool: durable, ordered, bounded, and it survives a torn last line."""

from __future__ import annotations

from pathlib import Path

import pytest

from aftershock.errors import BrokerError
from aftershock.sdk.spool import Spool, SpooledRecord, SpoolFullError


def _record(i: int) -> SpooledRecord:
    return SpooledRecord("audit.changes", f"k{i}".encode(), f'{{"n": {i}}}'.encode(),
                         (("event-type", b"change"),))


def test_records_come_back_in_order_after_reopening(tmp_path: Path) -> None:
    Spool(tmp_path).append([_record(i) for i in range(5)])
    Spool(tmp_path).append([_record(5)])
    got = [record for _, record in Spool(tmp_path).pending()]
    assert got == [_record(i) for i in range(6)]


def test_delivered_prefix_is_not_replayed_and_empty_spool_leaves_no_files(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    spool.append([_record(i) for i in range(4)])
    ends = [end for end, _ in spool.pending()]
    spool.mark_delivered(ends[1])
    assert [r for _, r in Spool(tmp_path).pending()] == [_record(2), _record(3)]
    spool.mark_delivered(ends[-1])
    assert not spool and list(tmp_path.iterdir()) == []


def test_full_spool_raises_a_clear_error_and_keeps_what_it_has(tmp_path: Path) -> None:
    spool = Spool(tmp_path, max_bytes=300)
    spool.append([_record(0), _record(1)])
    with pytest.raises(SpoolFullError, match=r"spool .* is full .* broker") as err:
        spool.append([_record(i) for i in range(2, 10)])
    assert isinstance(err.value, BrokerError)
    assert len(spool) == 2


def test_torn_last_line_is_cut_on_open(tmp_path: Path) -> None:
    Spool(tmp_path).append([_record(0), _record(1)])
    with (tmp_path / "spool.ndjson").open("ab") as out:
        out.write(b'{"topic": "audit.chan')
    assert [r for _, r in Spool(tmp_path).pending()] == [_record(0), _record(1)]
