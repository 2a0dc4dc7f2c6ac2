"""A durable, bounded, ordered spool of records that could not be sent yet.

One folder holds ``spool.ndjson`` (one record per line, appended and fsync'd before
:meth:`Spool.append` returns) and ``spool.offset`` (how many bytes of it were already delivered,
replaced atomically). Records are read back in the order they were written; once all are
delivered both files are removed, and once COMPACT_BYTES of the file and at least half of it are
delivered its undelivered rest is rewritten into a new file (the offset is reset first: a crash in between
replays the delivered records again, it never skips one). A line cut short by a crash during an
append (the caller never got a return from that append) is cut off when the spool is opened.

Any thread may append while one other thread reads and marks records delivered.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import NamedTuple

from aftershock.errors import BrokerError
from aftershock.fsutil import fsync_dir

DEFAULT_MAX_BYTES = 256 * 1024 * 1024
COMPACT_BYTES = 16 * 1024 * 1024  # a delivered prefix this large is dropped from the file


class SpoolFullError(BrokerError):
    """The spool reached its size bound: events cannot be kept any more."""


class SpooledRecord(NamedTuple):
    """One Kafka record as sent (a plain tuple: built once per event, so it must be cheap)."""

    topic: str
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...]

    def to_line(self) -> bytes:
        data = {
            "topic": self.topic,
            "key": None if self.key is None else self.key.decode(),
            "headers": [[name, value.decode()] for name, value in self.headers],
            "value": self.value.decode(),
        }
        return json.dumps(data, separators=(",", ":")).encode() + b"\n"

    @classmethod
    def from_line(cls, line: bytes) -> SpooledRecord:
        data = json.loads(line)
        key = data["key"]
        headers = tuple((name, value.encode()) for name, value in data["headers"])
        return cls(data["topic"], None if key is None else key.encode(), data["value"].encode(), headers)


class Spool:
    def __init__(self, directory: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.dir = directory
        self.max_bytes = max_bytes
        self.data = directory / "spool.ndjson"
        self.offset_file = directory / "spool.offset"
        directory.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()  # appends against marking delivered and reading a snapshot
        self._cut_torn_tail()
        self._pending = self._size() - self._offset()  # kept in memory: emit asks on every event

    # -- state -----------------------------------------------------------------------------
    def _size(self) -> int:
        return self.data.stat().st_size if self.data.exists() else 0

    def _offset(self) -> int:
        if not self.offset_file.exists():
            return 0
        return int(self.offset_file.read_text(encoding="ascii").strip() or 0)

    def pending_bytes(self) -> int:
        """Bytes of records not delivered yet (0 = empty)."""
        return self._size() - self._offset()

    def __bool__(self) -> bool:
        return self._pending > 0

    def __len__(self) -> int:
        return sum(1 for _ in self.pending())

    # -- writing ---------------------------------------------------------------------------
    def append(self, records: Iterable[SpooledRecord]) -> None:
        """Append ``records`` in order and fsync; raises :class:`SpoolFullError` beyond the bound."""
        blob = b"".join(record.to_line() for record in records)
        if not blob:
            return
        with self._lock:
            if self._pending + len(blob) > self.max_bytes:
                raise SpoolFullError(
                    f"event spool {self.data} is full ({self._pending} of {self.max_bytes} bytes; "
                    f"{len(blob)} more needed): the broker has been unreachable too long. Bring the "
                    "broker back (the spool replays on the next emit), or give the spool more room."
                )
            created = not self.data.exists()
            with self.data.open("ab") as out:
                out.write(blob)
                out.flush()
                os.fsync(out.fileno())
            self._pending += len(blob)
            if created:
                fsync_dir(self.dir)

    # -- reading ---------------------------------------------------------------------------
    def pending(self, limit: int | None = None) -> Iterator[tuple[int, SpooledRecord]]:
        """``(end_offset, record)`` of the (first ``limit``) records not yet delivered, oldest first.

        The records spooled when the call began: later appends come with the next call.
        """
        with self._lock:
            if not self.data.exists():
                return
            src = self.data.open("rb")
            start, end = self._offset(), self._size()
        with src:
            src.seek(start)
            yield from islice(self._records(src, start, end), limit)

    @staticmethod
    def _records(lines: Iterable[bytes], position: int, end: int) -> Iterator[tuple[int, SpooledRecord]]:
        for line in lines:
            position += len(line)
            if position > end:
                return
            yield position, SpooledRecord.from_line(line)

    def mark_delivered(self, end_offset: int) -> None:
        """Everything before ``end_offset`` was delivered; empties the spool when that is all."""
        with self._lock:
            size = self._size()
            self._pending = max(0, size - end_offset)
            if end_offset >= size:
                self.data.unlink(missing_ok=True)
                self.offset_file.unlink(missing_ok=True)
                fsync_dir(self.dir)
            elif end_offset >= COMPACT_BYTES and end_offset >= size - end_offset:
                self._compact(end_offset)  # at most as much copied as was delivered: linear overall
            else:
                self._write_offset(end_offset)

    def _write_offset(self, end_offset: int) -> None:
        tmp = self.offset_file.with_suffix(".tmp")
        with tmp.open("w", encoding="ascii") as out:
            out.write(str(end_offset))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.offset_file)
        fsync_dir(self.dir)

    def _compact(self, end_offset: int) -> None:
        """Keep only the records after ``end_offset``: written to a new file that replaces the old."""
        tmp = self.data.with_name(self.data.name + ".tmp")
        with self.data.open("rb") as src, tmp.open("wb") as out:
            src.seek(end_offset)
            while chunk := src.read(1024 * 1024):
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        self.offset_file.unlink(missing_ok=True)  # first: a crash now replays, never skips
        fsync_dir(self.dir)
        os.replace(tmp, self.data)
        fsync_dir(self.dir)

    def _cut_torn_tail(self) -> None:
        if not self.data.exists():
            return
        content = self.data.read_bytes()
        keep = content.rfind(b"\n") + 1
        if keep < len(content):
            with self.data.open("r+b") as out:
                out.truncate(keep)
                os.fsync(out.fileno())
