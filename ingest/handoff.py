"""The records of one batch, handed from the poll process to the landing process in one piece.

The poll process writes what landing needs of each Kafka record (value, offset, key, timestamp)
into an anonymous in-memory file (``memfd``): the values, each followed by a newline (the input the
vectorized path parses as is, see ``ingest.fast_path.lines_of``), then a pickled tail with the
value lengths (-1: no value), the offsets, the record timestamps, the keys and the offset ranges
the consumer could not decode (:class:`Skipped`, dead-lettered with the batch). The values go
straight from the records into the file (``writev``, no joined copy); the landing process receives
the file descriptor over the pipe and maps the file read-only (no copy either). The file has no
name: it is gone once both processes closed it, whatever way they end.
"""

from __future__ import annotations

import mmap
import os
import pickle
import tempfile
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, NamedTuple

_IOV_MAX = 1024  # buffers per writev call (the POSIX minimum)
_VALUE, _OFFSET, _TIMESTAMP, _KEY = (attrgetter(n) for n in ("value", "offset", "timestamp", "key"))


class Skipped(NamedTuple):
    """Offsets ``[start, end)`` of a partition whose records could not be decoded (a corrupt
    record batch, or one compressed with a codec the client cannot read), and the error."""

    start: int
    end: int
    error_class: str
    message: str


@dataclass(frozen=True, slots=True)
class Handoff:
    """What travels over the pipe for one batch of one partition, offsets ``[start, next_offset)``
    (the file descriptor follows it)."""

    topic: str
    partition: int
    start: int
    next_offset: int
    values_size: int  # bytes of values and newlines at the start of the file
    size: int  # bytes of the file


@dataclass(frozen=True, slots=True)
class Records:
    """The records of one batch, in the landing process (``joined`` maps the handed-over file)."""

    topic: str
    partition: int
    start: int
    next_offset: int
    joined: memoryview  # each value followed by b"\n" (a missing value is empty)
    lengths: array[int]  # of each value; -1 for a record without a value
    offsets: array[int]
    timestamps: array[int]  # record timestamps (ms since the epoch; -1 unknown)
    keys: list[bytes | None]
    skipped: list[Skipped]
    mapping: mmap.mmap

    def close(self) -> None:
        """Unmap the file (later, by the garbage collector, if a view of it is still alive)."""
        try:
            self.joined.release()
            self.mapping.close()
        except BufferError:
            pass


def pack(topic: str, partition: int, start: int, next_offset: int, records: Sequence[Any],
         skipped: Sequence[Skipped] = ()) -> tuple[Handoff, int]:
    """Write Kafka ``ConsumerRecord``s (and the ranges ``skipped`` among them) into a new anonymous
    file: (its handoff, its descriptor, which the caller closes once it is handed over)."""
    values = list(map(_VALUE, records))
    if None in values:
        lengths = array("q", [-1 if v is None else len(v) for v in values])
        values = [v or b"" for v in values]
    else:
        lengths = array("q", map(len, values))
    tail = pickle.dumps((lengths, array("q", map(_OFFSET, records)),
                         array("q", map(_TIMESTAMP, records)), list(map(_KEY, records)),
                         [tuple(s) for s in skipped]),
                        protocol=pickle.HIGHEST_PROTOCOL)
    pieces = [b"\n"] * (2 * len(values))  # each value, then its newline
    pieces[0::2] = values
    fd = _anonymous_file()
    try:
        values_size = _write(fd, pieces)
        size = values_size + _write(fd, [tail])
    except BaseException:
        os.close(fd)
        raise
    return Handoff(topic, partition, start, next_offset, values_size, size), fd


def unpack(handoff: Handoff, fd: int) -> Records:
    """The records of ``handoff`` from its file (``fd`` is closed; close the records when done)."""
    try:
        mapping = mmap.mmap(fd, handoff.size, prot=mmap.PROT_READ)
    finally:
        os.close(fd)
    lengths, offsets, timestamps, keys, skipped = pickle.loads(mapping[handoff.values_size:])  # noqa: S301 - written by the poll process
    joined = memoryview(mapping)[:handoff.values_size]
    return Records(handoff.topic, handoff.partition, handoff.start, handoff.next_offset, joined,
                   lengths, offsets, timestamps, keys, [Skipped(*s) for s in skipped], mapping)


def _anonymous_file() -> int:
    if hasattr(os, "memfd_create"):
        return os.memfd_create("aftershock-batch", os.MFD_CLOEXEC)
    with tempfile.TemporaryFile() as handle:  # unlinked at once
        return os.dup(handle.fileno())


def _write(fd: int, pieces: list[bytes]) -> int:
    """Write ``pieces`` in order; returns the bytes written."""
    total = 0
    for i in range(0, len(pieces), _IOV_MAX):
        group = pieces[i:i + _IOV_MAX]
        expected = sum(map(len, group))
        written = os.writev(fd, group)
        if written != expected:  # a short write: the rest in one piece
            rest = memoryview(b"".join(group))[written:]
            while rest:
                rest = rest[os.write(fd, rest):]
        total += expected
    return total
