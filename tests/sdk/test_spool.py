"""The spool: durable, ordered, bounded, compacted, safe to append to while another thread delivers,
and it survives a torn last line."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import aftershock.sdk.spool as spool_module
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


def test_a_reading_is_a_snapshot_and_limit_takes_the_oldest(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    spool.append([_record(i) for i in range(3)])
    reading = spool.pending()
    first = next(reading)
    spool.append([_record(3)])  # after the reading began: comes with the next one
    assert [first[1], *(r for _, r in reading)] == [_record(0), _record(1), _record(2)]
    assert [r for _, r in spool.pending(limit=2)] == [_record(0), _record(1)]
    assert len(spool) == 4


def test_a_large_delivered_prefix_is_dropped_from_the_file(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spool_module, "COMPACT_BYTES", 50)
    spool = Spool(tmp_path)
    spool.append([_record(i) for i in range(6)])
    ends = [end for end, _ in spool.pending()]
    assert ends[0] >= 50
    spool.mark_delivered(ends[0])  # large enough, but less than the rest: only the offset moves
    assert spool.data.stat().st_size == ends[-1] and spool.offset_file.exists()
    spool.mark_delivered(ends[2])  # half the file
    assert spool.data.stat().st_size == ends[-1] - ends[2]  # only the undelivered rest is kept
    assert not spool.offset_file.exists()
    assert [r for _, r in Spool(tmp_path).pending()] == [_record(3), _record(4), _record(5)]


def test_appends_from_another_thread_while_delivering_lose_nothing(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spool_module, "COMPACT_BYTES", 2_000)  # compactions happen during the run
    spool = Spool(tmp_path)
    writer = threading.Thread(target=lambda: [spool.append([_record(i)]) for i in range(300)])
    writer.start()
    delivered: list[SpooledRecord] = []
    while writer.is_alive() or spool:
        batch = list(spool.pending(limit=7))
        if batch:
            delivered += [r for _, r in batch]
            spool.mark_delivered(batch[-1][0])
    writer.join()
    assert delivered == [_record(i) for i in range(300)]
    assert not spool and list(tmp_path.iterdir()) == []
