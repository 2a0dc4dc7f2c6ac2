"""Record batches the consumer cannot decode: which offsets they hold, so the worker steps past.

kafka-python raises from ``poll()`` when a fetched record batch fails its CRC check, is compressed
with a codec it cannot read, or does not decompress; the error does not say for sure which
partition or which offsets, and the consumer keeps the broken batch where it stopped (a later
``poll()`` at the same position never returns). So the worker asks a :class:`Prober`, a consumer
of its own outside the group with the worker's isolation level and fetch settings:

1. which assigned partition fails at its current position (each is read from there, one at a
   time, until a record or an error comes back);
2. which offsets fail after it: each next offset is read on its own until one does not fail (a
   record comes back, or only aborted records and transaction markers lie there, or the
   partition ends). Offsets are tried one by one, so a good batch between two bad ones is never
   skipped; a batch costs about one fetch per record it holds, once.

The range found (``Skipped``: start, end, the error) is dead-lettered with the partition's next
batch and the worker's consumer is moved to its end, which also drops the broken batch it kept.
"""

from __future__ import annotations

import re
import time
from typing import Any

from kafka import KafkaConsumer, TopicPartition
from kafka.errors import CorruptRecordError, KafkaError, KafkaTimeoutError, UnsupportedCodecError

from ingest.handoff import Skipped

_PROBE_TIMEOUT_S = 30.0  # most a probe waits for a fetch to answer


def may_be_undecodable(exc: Exception) -> bool:
    """Whether ``exc``, raised by ``poll()``, may be a batch the client cannot decode: kafka-python's
    corrupt-record and codec errors, and whatever a decompressor raises (zlib, gzip, snappy, lz4,
    zstandard errors: not Kafka errors). Other Kafka errors (broker, network) are not."""
    return isinstance(exc, CorruptRecordError | UnsupportedCodecError) or not isinstance(exc, KafkaError)


class Prober:
    """Finds undecodable offset ranges with a consumer of its own (created on first use)."""

    def __init__(self, client_id: str, config: dict[str, Any]) -> None:
        """``config``: the consumer's connection, security and fetch arguments."""
        self.client_id, self.config = client_id, config
        self._consumer: Any = None

    def find(self, positions: dict[TopicPartition, int]) -> dict[TopicPartition, Skipped]:
        """The undecodable range starting at the position of each partition of ``positions`` that
        fails there (none: what ``poll()`` raised was not a batch the client cannot decode)."""
        found = {}
        for tp, position in positions.items():
            log_end = self._log_end(tp)
            if (failure := self._fails_at(tp, position, log_end)) is not None:
                found[tp] = self._range(tp, position, log_end, failure)
        return found

    def _range(self, tp: TopicPartition, start: int, log_end: int, failure: Exception) -> Skipped:
        end = start + 1
        while self._fails_at(tp, end, log_end) is not None:
            end += 1
        return Skipped(start, end, type(failure).__name__, _one_line(failure))

    def _fails_at(self, tp: TopicPartition, offset: int, log_end: int) -> Exception | None:
        """The error reading ``tp`` from ``offset`` raises before anything else comes back
        (None at or after ``log_end``, where nothing can be read)."""
        if offset >= log_end:
            return None
        consumer = self._get()
        consumer.assign([tp])
        consumer.seek(tp, offset)
        deadline = time.monotonic() + _PROBE_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                if consumer.poll(timeout_ms=200, max_records=1) or consumer.position(tp) > offset:
                    return None
            except Exception as exc:  # noqa: BLE001 - sorted below
                if not may_be_undecodable(exc):
                    raise
                self._forget()
                return exc
        raise KafkaTimeoutError(f"no answer reading {tp.topic}[{tp.partition}]@{offset} in "
                                f"{_PROBE_TIMEOUT_S:.0f} s")

    def _forget(self) -> None:
        """Drop the broken batch the consumer keeps after raising: it is dropped by the next
        ``poll()`` once its partition is no longer assigned."""
        self._consumer.assign([])
        self._consumer.poll(timeout_ms=0)

    def _log_end(self, tp: TopicPartition) -> int:
        """The offset after the last readable record (the last stable offset under
        read_committed)."""
        end: int = self._get().end_offsets([tp])[tp]
        return end

    def _get(self) -> Any:
        if self._consumer is None:
            self._consumer = KafkaConsumer(**self.config, enable_auto_commit=False,
                                           client_id=f"{self.client_id}-probe")
        return self._consumer

    def close(self) -> None:
        if self._consumer is not None:
            self._consumer.close()
            self._consumer = None


def _one_line(exc: Exception) -> str:
    """The error's text on one line, without the class name kafka-python puts in front."""
    text = re.sub(rf"^(\[Error \d+\] )?{type(exc).__name__}: ", "", " ".join(str(exc).split()))
    return text or type(exc).__name__
