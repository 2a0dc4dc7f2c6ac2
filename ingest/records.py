"""A lean decoding of fetched record batches for the worker's consumer.

kafka-python turns each fetched record into Python objects through several layers (a record
object, a ``ConsumerRecord`` of thirteen fields, deserializer and CRC hooks, a chain of
generators): about 5.5 us per record, most of the poll process's core. The worker needs four
fields of a record (offset, timestamp, key, value). :class:`LeanPartitionRecords` reads them
straight out of each v2 record batch in one loop (about 2 us per record), after kafka-python's own
batch handling: the batch CRC-32C check, decompression, control batches skipped, records before
the fetch offset skipped, the record structure checked as strictly (a record whose fields do not
add up to its length is a ``CorruptRecordError``). Record headers are checked and dropped (the
worker does not keep them).

It plugs into kafka-python's fetcher as the class it builds the records of each fetched partition
with (:func:`install_lean_decoding`). That class is internal to kafka-python 3.0, so the install
takes effect only on the shape it was written against (no deserializers, read-uncommitted
isolation, the fetcher attributes it uses) and leaves the consumer as it is otherwise; the tests
compare both decodings on real broker fetches (keys, headers, null values, compression,
transaction markers, offsets mid-batch) and check the version range in ``pyproject.toml``.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from kafka.consumer.fetcher import Fetcher, IsolationLevel
from kafka.errors import CorruptRecordError
from kafka.record.default_records import DefaultRecordBatch

_BASE: Any = Fetcher.PartitionRecords


class LeanRecord(tuple):  # type: ignore[type-arg]
    """What the worker reads of a Kafka record, under the ``ConsumerRecord`` names: a plain tuple
    ``(offset, timestamp, key, value, serialized_value_size)`` (made in C from one, unlike a
    ``NamedTuple``, whose constructor runs Python code)."""

    __slots__ = ()
    offset: int = property(itemgetter(0))  # type: ignore[assignment]
    timestamp: int = property(itemgetter(1))  # type: ignore[assignment]
    key: bytes | None = property(itemgetter(2))  # type: ignore[assignment]
    value: bytes | None = property(itemgetter(3))  # type: ignore[assignment]
    serialized_value_size: int = property(itemgetter(4))  # type: ignore[assignment]


class LeanPartitionRecords(_BASE):  # type: ignore[misc]
    """The records of one fetched partition, decoded a batch at a time (see the module doc)."""

    def __init__(self, fetch_offset: int, tp: Any, records: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(fetch_offset, tp, records, *args, **kwargs)
        self._batches = records
        self._decoded: list[LeanRecord] = []
        self._at = 0
        self._batch_end = -1  # next offset after the current batch
        self._failed: Exception | None = None  # a corrupt batch: raised again on every take

    def take(self, n: int | None = None) -> list[LeanRecord]:
        """Up to ``n`` records (all with None); the fetch position follows the last one."""
        if self._failed is not None:
            raise self._failed
        taken: list[LeanRecord] = []
        try:
            while self.record_iterator is not None and (n is None or len(taken) < n):
                if self._at < len(self._decoded):
                    self._take_decoded(taken, n)
                elif not self._decode_next():
                    self.drain()
        except CorruptRecordError as exc:
            self._failed = exc  # never skipped: the records before it are returned first
            if not taken:
                raise
        return taken

    def _take_decoded(self, taken: list[LeanRecord], n: int | None) -> None:
        end = len(self._decoded) if n is None else min(len(self._decoded), self._at + n - len(taken))
        chunk = self._decoded[self._at:end]
        self._at = end
        taken += chunk
        self.records_read += len(chunk)
        self.next_fetch_offset = self._batch_end if end == len(self._decoded) else chunk[-1].offset + 1

    def _decode_next(self) -> bool:
        """Decode the next data batch into ``_decoded``; False when there is none left."""
        while (batch := self._batches.next_batch()) is not None:
            if self.check_crcs and not batch.validate_crc():
                raise CorruptRecordError(f"Record batch for partition {self.topic_partition} at "
                                         f"offset {batch.base_offset} failed crc check")
            if not isinstance(batch, DefaultRecordBatch):
                decoded = _legacy(batch)
                self._batch_end = decoded[-1].offset + 1 if decoded else self.next_fetch_offset
            elif batch.is_control_batch:
                self.next_fetch_offset = batch.next_offset
                continue
            else:
                self.leader_epoch = batch.leader_epoch
                decoded, size = decode(batch)
                self.bytes_read += size
                self._batch_end = batch.next_offset
            self._decoded = [r for r in decoded if r.offset >= self.fetch_offset] \
                if decoded and decoded[0].offset < self.fetch_offset else decoded
            self._at = 0
            if not self._decoded:
                self.next_fetch_offset = max(self.next_fetch_offset, self._batch_end)
            return True
        return False


def _legacy(batch: Any) -> list[LeanRecord]:
    """A message-format v0/v1 batch, through kafka-python's own records."""
    records = []
    for record in batch:
        if not record.validate_crc():
            raise CorruptRecordError(f"Record at offset {record.offset} failed crc check")
        value = record.value
        records.append(LeanRecord((record.offset, record.timestamp, record.key, value,
                                   -1 if value is None else len(value))))
    return records


def decode(batch: DefaultRecordBatch) -> tuple[list[LeanRecord], int]:
    """The records of a v2 data batch (CRC already checked) and their size in bytes."""
    iter(batch)  # decompresses the records in place, if the batch is compressed
    buffer = bytes(batch._buffer)  # slices of bytes are bytes: one copy per value
    start: int = batch._pos
    stamp = batch.max_timestamp if batch.timestamp_type == batch.LOG_APPEND_TIME else None
    first, base = batch.first_timestamp, batch.base_offset
    offsets: list[int] = []
    stamps: list[int] = []
    keys: list[bytes | None] = []
    values: list[bytes | None] = []
    pos = start
    try:
        # Varints of one or two bytes are read in line (lengths below 8 KiB, time deltas below
        # 8 s, offset deltas below 8,192: nearly all), longer ones by _raw; z(v) undoes zigzag.
        for _ in range(batch.records_count):
            byte = buffer[pos]
            if byte < 0x80:
                length, pos = byte, pos + 1
            elif buffer[pos + 1] < 0x80:
                length, pos = (byte & 0x7F) | buffer[pos + 1] << 7, pos + 2
            else:
                length, pos = _raw(buffer, pos)
            length = (length >> 1) ^ -(length & 1)
            end = pos + length
            at = pos + 1  # after the attributes byte
            byte = buffer[at]
            if byte < 0x80:
                delta, at = byte, at + 1
            elif buffer[at + 1] < 0x80:
                delta, at = (byte & 0x7F) | buffer[at + 1] << 7, at + 2
            else:
                delta, at = _raw(buffer, at)
            stamps.append(first + ((delta >> 1) ^ -(delta & 1)))
            byte = buffer[at]
            if byte < 0x80:
                delta, at = byte, at + 1
            elif buffer[at + 1] < 0x80:
                delta, at = (byte & 0x7F) | buffer[at + 1] << 7, at + 2
            else:
                delta, at = _raw(buffer, at)
            offsets.append(base + ((delta >> 1) ^ -(delta & 1)))
            if buffer[at] == 1:  # no key (-1)
                keys.append(None)
                at += 1
            else:
                size, at = _varint(buffer, at)
                keys.append(None if size < 0 else buffer[at:at + size])
                at += max(size, 0)
            byte = buffer[at]
            if byte < 0x80:
                size, at = byte, at + 1
            elif buffer[at + 1] < 0x80:
                size, at = (byte & 0x7F) | buffer[at + 1] << 7, at + 2
            else:
                size, at = _raw(buffer, at)
            size = (size >> 1) ^ -(size & 1)
            values.append(None if size < 0 else buffer[at:at + size])
            at += max(size, 0)
            at = at + 1 if buffer[at] == 0 else _skip_headers(buffer, at)
            if at != end:
                raise CorruptRecordError(f"Invalid record size: expected to read {length} bytes in "
                                         f"record payload, but instead read {at - end + length}")
            pos = end
    except (IndexError, ValueError) as exc:
        raise CorruptRecordError(f"Found invalid record structure: {exc!r}") from None
    if pos != len(buffer):
        raise CorruptRecordError(f"{len(buffer) - pos} unconsumed bytes after all records consumed")
    sizes = [-1 if v is None else len(v) for v in values]
    if stamp is not None:
        stamps = [stamp] * len(offsets)
    return list(map(LeanRecord, zip(offsets, stamps, keys, values, sizes, strict=True))), pos - start


def _varint(buffer: bytes, pos: int) -> tuple[int, int]:
    """The zigzag varint at ``pos`` and the position after it."""
    value, pos = _raw(buffer, pos)
    return (value >> 1) ^ -(value & 1), pos


def _raw(buffer: bytes, pos: int) -> tuple[int, int]:
    """The varint at ``pos`` as stored (zigzag encoded) and the position after it."""
    value, shift = 0, 0
    while True:
        byte = buffer[pos]
        value |= (byte & 0x7F) << shift
        pos += 1
        if byte < 0x80:
            return value, pos
        shift += 7
        if shift > 63:
            raise ValueError(f"varint longer than 10 bytes at {pos}")


def _skip_headers(buffer: bytes, pos: int) -> int:
    count, pos = _varint(buffer, pos)
    if count < 0:
        raise CorruptRecordError(f"Found invalid number of record headers {count}")
    for _ in range(count):
        size, pos = _varint(buffer, pos)
        if size < 0:
            raise CorruptRecordError(f"Invalid negative header key size {size}")
        pos += size
        size, pos = _varint(buffer, pos)
        pos += max(size, 0)
    return pos


def install_lean_decoding(consumer: Any) -> bool:
    """Make ``consumer`` decode fetched batches with :class:`LeanPartitionRecords`; False (and
    nothing changed) where the consumer is not the shape this was written against."""
    fetcher: Any = getattr(consumer, "_fetcher", None)
    config = getattr(fetcher, "config", {})
    if type(fetcher) is not Fetcher or getattr(fetcher, "PartitionRecords", None) is not _BASE:
        return False
    if config.get("key_deserializer") or config.get("value_deserializer"):
        return False
    if getattr(fetcher, "_isolation_level", None) != IsolationLevel.READ_UNCOMMITTED:
        return False
    fetcher.PartitionRecords = LeanPartitionRecords
    return True
