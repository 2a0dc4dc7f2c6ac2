"""Dead letters: the lake row for a rejected record, and its copy on the dead-letter topic.

No secret is kept: the raw value and key are redacted (``ingest.redact.redact_raw``: bytes in
which nothing is found are kept as received) and the SHA-256 of the value as received is kept
beside them, so an operator can match a producer's copy. The topic copy carries the same key and
value and names its origin in headers that follow Kafka Connect's dead-letter-queue convention
(``__connect.errors.*``)::

    __connect.errors.topic                   original topic
    __connect.errors.partition               original partition (decimal text)
    __connect.errors.offset                  original offset (decimal text)
    __connect.errors.exception.class.name    error class
    __connect.errors.exception.message       one-line reason with JSON paths
    __connect.errors.reason                  undecodable | invalid | oversized | unknown_type
    aftershock.raw.sha256                    SHA-256 of the value as received (hex)

A copy never exceeds ``dead_letter_max_bytes`` (what the topic accepts): a larger raw value is
cut, ends with the marker ``...[truncated by aftershock: <n> bytes, sha256 <hex>]`` and carries the
headers ``aftershock.original.length`` and ``aftershock.original.sha256`` (the lake row keeps
every byte). Copies are sent and flushed before the batch's manifest entry, so a crash can repeat
a copy (at least once; the headers identify duplicates). A copy the topic does not acknowledge
within ``dead_letter_timeout_s`` is spooled to a local folder (``ingest.letter_spool``) and sent
again every ``dead_letter_retry_s`` by a background thread; the lake row is committed either way,
and while letters wait, new ones join them in the spool (no batch waits on a topic known to be
down).
"""

from __future__ import annotations

import contextlib
import hashlib
import sys
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aftershock.kafka_client import client_config
from aftershock.settings import IngestSettings, KafkaSettings
from ingest.handoff import Skipped
from ingest.letter_spool import Letter, LetterSpool
from ingest.redact import redact_raw
from ingest.validate import Rejected
from lake.arrow_format import DeadLetter

MESSAGE_HEADER_MAX = 2000  # characters of the exception message header
_RECORD_OVERHEAD = 512  # bytes of a record's framing, beyond its key, value and headers


def dead_letter(record: Any, why: Rejected) -> DeadLetter:
    """The dead-letter row of a Kafka ``ConsumerRecord``."""
    stamp = datetime.fromtimestamp(record.timestamp / 1000, UTC) if record.timestamp >= 0 else None
    return letter(why, record.value or b"", record.key, stamp, record.topic, record.partition,
                  record.offset)


def letter(why: Rejected, raw: bytes, key: bytes | None, stamp: datetime | None, topic: str,
           partition: int, offset: int) -> DeadLetter:
    """The dead letter of ``raw`` (``why.message`` is already redacted by ``ingest.validate``)."""
    return DeadLetter(why.reason, why.error_class, why.message, redact_raw(raw),
                      None if key is None else redact_raw(key), stamp, topic, partition, offset,
                      hashlib.sha256(raw).hexdigest())


def skipped_letter(topic: str, partition: int, skipped: Skipped) -> DeadLetter:
    """The dead-letter row of offsets the consumer could not decode (no raw bytes: there are none
    to keep), at the range's first offset; the message names the whole range."""
    last = skipped.end - 1
    offsets = f"offset {last}" if last == skipped.start else f"offsets {skipped.start}-{last}"
    message = (f"{offsets} of {topic}[{partition}] could not be decoded and were skipped: "
               f"{skipped.error_class}: {skipped.message}")
    return DeadLetter("undecodable", skipped.error_class, message, b"", None, None, topic, partition,
                      skipped.start, hashlib.sha256(b"").hexdigest())


def headers(letter: DeadLetter) -> list[tuple[str, bytes]]:
    """Kafka Connect style headers naming where the record came from and why it failed."""
    return [
        ("__connect.errors.topic", letter.topic.encode()),
        ("__connect.errors.partition", str(letter.partition).encode()),
        ("__connect.errors.offset", str(letter.offset).encode()),
        ("__connect.errors.exception.class.name", letter.error_class.encode()),
        ("__connect.errors.exception.message", letter.error_message[:MESSAGE_HEADER_MAX].encode()),
        ("__connect.errors.reason", letter.reason.encode()),
        ("aftershock.raw.sha256", letter.raw_sha256.encode()),
    ]


def topic_record(letter: DeadLetter, max_bytes: int) -> Letter:
    """The topic copy of ``letter``, at most ``max_bytes`` in all (key and value cut if need be)."""
    found = headers(letter)
    key = letter.key
    if key is not None and len(key) > max_bytes // 4:
        found.append(("aftershock.original.key.sha256", hashlib.sha256(key).hexdigest().encode()))
        key = key[:max_bytes // 4]
    value = letter.raw
    room = max_bytes - _RECORD_OVERHEAD - len(key or b"") - sum(len(n) + len(v) + 8 for n, v in found)
    if len(value) > room:
        digest = hashlib.sha256(value).hexdigest()
        found += [("aftershock.original.length", str(len(value)).encode()),
                  ("aftershock.original.sha256", digest.encode())]
        marker = f"...[truncated by aftershock: {len(value)} bytes, sha256 {digest}]".encode()
        value = value[:max(0, room - 200 - len(marker))] + marker
    return Letter(key, value, tuple(found))


class DeadLetterTopic:
    """Sends dead letters to one topic (the producer is created on first use); what the topic does
    not take in time waits in the spool."""

    def __init__(self, bootstrap: str, topic: str, client_id: str, spool_dir: Path,
                 conf: IngestSettings, kafka: KafkaSettings | None = None) -> None:
        self.bootstrap, self.topic, self.client_id = bootstrap, topic, client_id
        self.kafka = kafka or KafkaSettings()
        self.max_bytes = conf.dead_letter_max_bytes
        self.timeout_s, self.retry_s = conf.dead_letter_timeout_s, conf.dead_letter_retry_s
        self.spool = LetterSpool(spool_dir)
        self.spooled = self.spool.count()  # letters waiting, as last counted
        self._producer: Any = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._retrier: threading.Thread | None = None
        if self.spooled:
            self._start_retrier()

    def send(self, letters: Sequence[DeadLetter]) -> None:
        """Send ``letters`` and wait until the broker has them all, or spool them."""
        if not letters:
            return
        records = [topic_record(letter, self.max_bytes) for letter in letters]
        with self._lock:
            queued = self.spooled > 0
            failed = records if queued else self._deliver(records)
            if failed:
                self.spool.add(failed)
                self.spooled = self.spool.count()
                why = ("earlier letters are waiting" if queued else
                       f"{self.topic} did not take them within {self.timeout_s:g} s")
                _say(f"{len(failed)} dead letters of {letters[0].topic}[{letters[0].partition}]@"
                     f"{letters[0].offset}..{letters[-1].offset} spooled to {self.spool.dir} ({why}); "
                     f"{self.spooled} waiting, sent again every {self.retry_s:g} s")
        if failed:
            self._start_retrier()

    def retry(self) -> int:
        """Send what the spool holds, file by file, until the topic refuses; returns letters sent."""
        sent = 0
        with self._lock:
            for path in self.spool.files():
                with self.spool.taken(path) as records:
                    if records is None:
                        continue
                    if self._deliver(records):
                        break
                    self.spool.remove(path)
                    sent += len(records)
            self.spooled = self.spool.count()
        if sent:
            _say(f"sent {sent} spooled dead letters to {self.topic}; {self.spooled} waiting")
        return sent

    def _deliver(self, records: Sequence[Letter]) -> list[Letter]:
        """Send ``records``; returns those the topic did not acknowledge in time."""
        from kafka.errors import KafkaError

        try:
            producer = self._get()
            futures = [producer.send(self.topic, key=r.key, value=r.value, headers=list(r.headers))
                       for r in records]
            producer.flush(timeout=self.timeout_s + 5)
            failed = [r for r, f in zip(records, futures, strict=True) if not (f.is_done and f.succeeded())]
        except KafkaError:
            failed = list(records)
        return failed

    def _get(self) -> Any:
        if self._producer is None:
            from kafka import KafkaProducer

            timeout_ms, linger_ms = int(self.timeout_s * 1000), 20
            # not idempotent: an idempotent producer that saw a batch refused keeps failing after
            # the topic recovers; a dead letter is delivered at least once anyway
            self._producer = KafkaProducer(
                **client_config(self.kafka, self.bootstrap), acks="all", enable_idempotence=False,
                linger_ms=linger_ms,
                client_id=f"{self.client_id}-dlq", max_block_ms=timeout_ms,
                delivery_timeout_ms=timeout_ms + linger_ms + 1,
                request_timeout_ms=max(1, min(30_000, timeout_ms)),
                max_request_size=max(1 << 20, self.max_bytes + 1024))
        return self._producer

    def _start_retrier(self) -> None:
        if self._retrier is None or not self._retrier.is_alive():
            self._retrier = threading.Thread(target=self._retry_loop, name="aftershock-dlq-retry",
                                             daemon=True)
            self._retrier.start()

    def _retry_loop(self) -> None:
        while not self._stop.wait(self.retry_s):
            try:
                self.retry()
            except Exception as exc:  # noqa: BLE001 - the letters stay spooled: try again later
                _say(f"sending spooled dead letters failed ({type(exc).__name__}: {exc}); "
                     f"{self.spooled} waiting in {self.spool.dir}")
            if not self.spooled:
                return

    def close(self) -> None:
        """Stop retrying (one last attempt first: what is left waits for the next worker)."""
        self._stop.set()
        if self._retrier is not None:
            self._retrier.join()
        if self.spooled:
            self.retry()
        if self._producer is not None:
            from kafka.errors import KafkaError

            with contextlib.suppress(KafkaError):  # letters not acknowledged by now are spooled
                self._producer.close(timeout=self.timeout_s)


def _say(message: str) -> None:
    print(f"aftershock ingest: {message}", file=sys.stderr, flush=True)
