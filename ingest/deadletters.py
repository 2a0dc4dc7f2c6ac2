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

Topic copies are sent and flushed before the batch's manifest entry, so a crash can repeat a
copy (at least once; the headers identify duplicates) but never lose one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from aftershock.kafka_client import client_config, connect
from aftershock.settings import KafkaSettings
from ingest.handoff import Skipped
from ingest.redact import redact_raw
from ingest.validate import Rejected
from lake.arrow_format import DeadLetter


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
        ("__connect.errors.exception.message", letter.error_message.encode()),
        ("__connect.errors.reason", letter.reason.encode()),
        ("aftershock.raw.sha256", letter.raw_sha256.encode()),
    ]


class DeadLetterTopic:
    """Sends dead letters to one topic (the producer is created on first use)."""

    def __init__(self, bootstrap: str, topic: str, client_id: str,
                 kafka: KafkaSettings | None = None) -> None:
        self.bootstrap, self.topic, self.client_id = bootstrap, topic, client_id
        self.kafka = kafka or KafkaSettings()
        self._producer: Any = None

    def send(self, letters: Sequence[DeadLetter]) -> None:
        """Send ``letters`` and wait until the broker has them all."""
        if not letters:
            return
        producer = self._get()
        for letter in letters:
            producer.send(self.topic, key=letter.key, value=letter.raw, headers=headers(letter))
        producer.flush()

    def _get(self) -> Any:
        if self._producer is None:
            from kafka import KafkaProducer

            self._producer = connect(KafkaProducer, client_config(self.kafka, self.bootstrap), acks="all",
                                     linger_ms=20, client_id=f"{self.client_id}-dlq")
        return self._producer

    def close(self) -> None:
        if self._producer is not None:
            self._producer.close()
