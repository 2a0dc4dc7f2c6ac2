"""The lean batch appender: the record bytes of kafka-python's builder, the same records on the broker."""

from __future__ import annotations

import random
import uuid
from pathlib import Path

import pytest
from kafka import KafkaConsumer, KafkaProducer
from kafka.errors import MessageSizeTooLargeError
from kafka.record.default_records import DefaultRecordBatchBuilder
from kafka.record.util import encode_varint

from aftershock.sdk.appender import (
    SMALL,
    encoded_headers,
    header_size,
    lean_appender,
    length_of,
    record_body,
    record_headers_of,
    varint,
)
from aftershock.sdk.emitter import Emitter, producer_settings, record_headers
from aftershock.settings import KafkaSettings
from tests.sdk.helpers import numbered_events, read_topics

HEADERS = [("content-type", b"application/json"), ("event-type", b"incident"), ("schema-version", b"1.0")]


def kafka_varint(value: int) -> bytes:
    out = bytearray()
    encode_varint(value, out.append)
    return bytes(out)


@pytest.mark.parametrize("value", [0, 1, -1, 63, 64, -65, 127, 128, 8191, 8192, 16_383, 16_384,
                                   2**20, 2**28, 2**35, -(2**40), 2**62, -(2**63)])
def test_varint_is_kafkas(value: int) -> None:
    assert varint(value) == kafka_varint(value)


def builder_record(delta: int, key: bytes, value: bytes, headers: list[tuple[str, bytes]],
                   offset: int) -> bytes:
    """What kafka-python's builder writes for a record ``offset`` records and ``delta`` ms into a batch."""
    builder = DefaultRecordBatchBuilder(2, 0, False, -1, -1, -1, 10**7)
    start = 1_700_000_000_000
    for i in range(offset):
        builder.append(i, start, b"k", b"v", [])
    before = len(builder._buffer)
    builder.append(offset, start + delta, key, value, headers)
    return bytes(builder._buffer[before:])


@pytest.mark.parametrize(("delta", "offset", "key_len", "value_len", "headers"), [
    (0, 1, 1, 10, HEADERS), (5, 2, 36, 700, HEADERS), (90, 127, 12, 1_200, []),
    (20_000, 300, 40, 70_000, HEADERS[:1]), (1, 1, 0, 0, HEADERS), (-3, 1, 5, 50, HEADERS),
    (SMALL - 1, SMALL - 1, SMALL - 1, SMALL - 9, []), (SMALL, SMALL, SMALL, SMALL, HEADERS),
])
def test_record_bytes_are_the_builders(delta: int, offset: int, key_len: int, value_len: int,
                                       headers: list[tuple[str, bytes]]) -> None:
    rng = random.Random(delta + offset)  # noqa: S311 - test data
    key, value = rng.randbytes(key_len), rng.randbytes(value_len)
    body = record_body(delta, offset, key, value, encoded_headers(headers))
    ours = length_of(len(body)) + body
    assert ours == builder_record(delta, key, value, headers, offset)


def test_header_size_is_what_kafka_python_reports() -> None:
    assert header_size(HEADERS) == sum(len(k) + len(v) for k, v in HEADERS)
    assert header_size([]) == -1


def test_other_shapes_get_no_appender() -> None:
    assert lean_appender(object()) is None


Stored = tuple[int, bytes | None, bytes | None, list[tuple[str, bytes]]]


def read_partition(bootstrap: str, topic: str, count: int) -> list[Stored]:
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                             enable_auto_commit=False, consumer_timeout_ms=5_000)
    try:
        got = [(m.offset, m.key, m.value, m.headers) for m in consumer]
    finally:
        consumer.close()
    assert len(got) == count, f"{topic}: {len(got)} of {count} records"
    return got


@pytest.mark.kafka
def test_appended_records_are_stored_as_sent_records_are(kafka_bootstrap: str) -> None:
    """The same records sent through the appender and through send(): equal on the broker, in order."""
    rng = random.Random(7)  # noqa: S311 - test data
    records = [(rng.randbytes(rng.randint(1, 40)), rng.randbytes(rng.randint(0, 3_000)))
               for _ in range(3_000)]
    headers = list(record_headers("incident", "1.0"))
    topics = [f"t-appender-{kind}-{uuid.uuid4().hex[:8]}" for kind in ("lean", "plain")]
    config = producer_settings(kafka_bootstrap) | {"batch_size": 64 * 1024}
    producer = KafkaProducer(**config)
    try:
        appender = lean_appender(producer)
        assert appender is not None
        sent_headers = record_headers_of(headers)
        futures = [appender.send(topics[0], 0, key, value, sent_headers) for key, value in records]
        futures += [producer.send(topics[1], value, key, headers, 0) for key, value in records]
        producer.flush(timeout=60)
        metadata = [f.get(timeout=1) for f in futures]
    finally:
        producer.close()
    assert appender.appended > len(records) * 0.9  # nearly all appended lean (batches open with send)
    lean, plain = (read_partition(kafka_bootstrap, topic, len(records)) for topic in topics)
    assert lean == plain
    assert [m.offset for m in metadata[:len(records)]] == list(range(len(records)))
    assert {m.serialized_header_size for m in metadata} == {header_size(headers)}
    assert [m.serialized_value_size for m in metadata[:len(records)]] == [len(v) for _, v in records]


@pytest.mark.kafka
def test_emitter_appends_lean_and_delivers_everything(kafka_bootstrap: str, topic_prefix: str,
                                                      tmp_path: Path) -> None:
    kafka = KafkaSettings(topic_prefix=topic_prefix)
    events = numbered_events(200)
    with Emitter(kafka_bootstrap, tmp_path, kafka.topic_for) as emitter:
        for event in events:
            emitter.emit(event)
        assert emitter._appender is not None and emitter._appender.appended > len(events) // 2
    assert emitter.spooled == 0
    got = read_topics(kafka_bootstrap, kafka, len(events))
    assert sorted(r["event_id"] for r in got) == sorted(e.event_id for e in events)
    assert all(set(r["_headers"]) == {"content-type", "event-type", "schema-version"} for r in got)


@pytest.mark.kafka
def test_a_record_over_the_request_size_is_refused_as_send_refuses_it(kafka_bootstrap: str) -> None:
    topic = f"t-appender-big-{uuid.uuid4().hex[:8]}"
    producer = KafkaProducer(**producer_settings(kafka_bootstrap, overrides={"max_request_size": 10_000}))
    try:
        appender = lean_appender(producer)
        assert appender is not None
        none = record_headers_of([])
        appender.send(topic, 0, b"k", b"small", none).get(timeout=30)
        appender.send(topic, 0, b"k", b"next", none)  # opens the next batch
        with pytest.raises(MessageSizeTooLargeError):
            appender.send(topic, 0, b"k", b"x" * 20_000, none)
    finally:
        producer.close()
