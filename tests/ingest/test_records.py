"""The worker's lean decoding of fetched batches (ingest.records) returns exactly what kafka-python's
own decoding returns, on real broker fetches; corrupt batches fail and are never skipped."""

from __future__ import annotations

import random
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.consumer.fetcher import Fetcher
from kafka.errors import CorruptRecordError
from kafka.record.default_records import DefaultRecordBatchBuilder
from kafka.record.memory_records import MemoryRecords
from kafka.serializer import Deserializer

from aftershock.settings import IngestSettings, KafkaSettings, Settings
from ingest.records import LeanPartitionRecords, install_lean_decoding
from ingest.worker import Worker
from tests.ingest.kafka_data import create_topics

pytestmark = pytest.mark.kafka

Row = tuple[int, int, bytes | None, bytes | None, int]


def _varied(count: int, seed: int) -> list[dict[str, Any]]:
    """Records of every shape: null, empty, tiny, 1-byte, 2-byte and 3-byte length values; no,
    short and long keys; no, one and several headers, some with empty values."""
    rng = random.Random(seed)  # noqa: S311 - test data
    sizes = [0, 1, 10, 63, 64, 100, 1300, 8191, 8192, 20_000]
    keys: list[bytes | None] = [None, b"", b"k", b"key-" * 80]
    headers: list[list[tuple[str, bytes | None]]] = [
        [], [("content-type", b"application/json")], [("a", b"x"), ("b", b"")],
        [(f"h{i}", bytes([i]) * i) for i in range(5)]]
    out = []
    for i in range(count):
        size = rng.choice(sizes)
        value = None if i % 17 == 5 else bytes(rng.getrandbits(8) for _ in range(size))
        key = rng.choice(keys) if value is not None else b"tombstone"
        out.append({"value": value, "key": key, "headers": rng.choice(headers),
                    "timestamp_ms": 1_700_000_000_000 + rng.randrange(-10**6, 10**6)})
    return out


def _produce(bootstrap: str, topic: str, records: list[dict[str, Any]], **settings: Any) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=20, **settings)
    for i, record in enumerate(records):
        producer.send(topic, partition=0, **record)
        if i % 40 == 39:
            producer.flush()  # batches of different sizes
    producer.flush()
    producer.close()


def _consume(bootstrap: str, topic: str, lean: bool, start: int = 0, max_poll: int = 500) -> list[Row]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                             max_poll_records=max_poll)
    assert install_lean_decoding(consumer) if lean else True
    tp = TopicPartition(topic, 0)
    consumer.assign([tp])
    consumer.seek(tp, start)
    end = consumer.end_offsets([tp])[tp]
    rows: list[Row] = []
    positions = []  # the position after each poll that returned records
    deadline = time.monotonic() + 60
    while consumer.position(tp) < end and time.monotonic() < deadline:
        for batch in consumer.poll(timeout_ms=500).values():
            rows += [(r.offset, r.timestamp, r.key, r.value, r.serialized_value_size) for r in batch]
            positions.append((consumer.position(tp), len(rows)))
    consumer.close()
    for position, taken in positions:  # never ahead of a record not returned yet
        assert rows[taken - 1][0] < position <= (rows[taken][0] if taken < len(rows) else end)
    return rows


@pytest.mark.parametrize("compression", [None, "gzip"])
def test_lean_decoding_returns_what_kafka_python_returns(kafka_bootstrap: str, topic: str,
                                                          compression: str | None) -> None:
    create_topics(kafka_bootstrap, [topic], partitions=1)
    records = _varied(600, seed=len(compression or ""))
    _produce(kafka_bootstrap, topic, records, compression_type=compression)
    reference = _consume(kafka_bootstrap, topic, lean=False)
    assert [r[3] for r in reference] == [r["value"] for r in records]
    assert _consume(kafka_bootstrap, topic, lean=True) == reference
    # mid-batch start offsets and polls that stop inside batches
    assert _consume(kafka_bootstrap, topic, lean=True, start=7, max_poll=3) == reference[7:]
    assert _consume(kafka_bootstrap, topic, lean=True, start=455, max_poll=61) == reference[455:]


def test_transaction_markers_are_skipped_like_kafka_python(kafka_bootstrap: str, topic: str) -> None:
    create_topics(kafka_bootstrap, [topic], partitions=1)
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, transactional_id=f"t-{uuid.uuid4()}")
    producer.init_transactions()
    for n, commit in enumerate([True, False, True]):
        producer.begin_transaction()
        for i in range(5):
            producer.send(topic, partition=0, value=f"{n}-{i}".encode())
        producer.flush()
        (producer.commit_transaction if commit else producer.abort_transaction)()
    producer.close()
    reference = _consume(kafka_bootstrap, topic, lean=False)
    assert len(reference) == 15  # read-uncommitted: aborted records too, never the markers
    assert _consume(kafka_bootstrap, topic, lean=True, max_poll=4) == reference
    offsets = [r[0] for r in reference]
    assert offsets != list(range(15))  # the markers took offsets the records skip


def _batch(values: list[bytes]) -> bytearray:
    builder = DefaultRecordBatchBuilder(magic=2, compression_type=0, is_transactional=False,
                                        producer_id=-1, producer_epoch=-1, base_sequence=-1,
                                        batch_size=1 << 20)
    for i, value in enumerate(values):
        builder.append(i, timestamp=1_700_000_000_000 + i, key=None, value=value, headers=[])
    return builder.build()


@pytest.mark.parametrize("check_crcs", [True, False])
def test_a_corrupt_batch_fails_on_every_take_and_is_never_skipped(check_crcs: bool) -> None:
    good, bad = _batch([b"a" * 10, b"b" * 10]), _batch([b"c" * 200, b"d" * 10])
    bad[61] = 0x10  # the first record's length varint: 8 instead of 200-odd bytes
    after = _batch([b"e"])
    after[0:8] = (2).to_bytes(8, "big")  # base offset 2
    records = LeanPartitionRecords(0, TopicPartition("t", 0), MemoryRecords(bytes(good + bad + after)),
                                   check_crcs=check_crcs)
    assert [r.value for r in records.take(10)] == [b"a" * 10, b"b" * 10]
    for _ in range(2):
        with pytest.raises(CorruptRecordError, match="crc check" if check_crcs else "header|record"):
            records.take(10)


class _Upper(Deserializer):  # type: ignore[misc]
    def deserialize(self, topic: str, headers: Any, data: bytes | None) -> bytes | None:
        return None if data is None else data.upper()


def test_install_leaves_other_consumer_shapes_alone(kafka_bootstrap: str) -> None:
    shapes = [{"value_deserializer": _Upper()}, {"isolation_level": "read_committed"}]
    for shape in shapes:
        consumer = KafkaConsumer(bootstrap_servers=kafka_bootstrap, **shape)
        assert not install_lean_decoding(consumer)
        assert consumer._fetcher.PartitionRecords is Fetcher.PartitionRecords
        consumer.close()


def test_the_worker_consumer_decodes_lean(kafka_bootstrap: str, tmp_path: Path) -> None:
    """Fails when a kafka-python upgrade changes the internals the lean decoding relies on."""
    settings = Settings(kafka=KafkaSettings(bootstrap_servers=kafka_bootstrap),
                        ingest=IngestSettings(group_id=f"g-{uuid.uuid4().hex}"))
    consumer = Worker(settings, tmp_path / "lake", kafka_bootstrap)._consumer()
    try:
        assert consumer._fetcher.PartitionRecords is LeanPartitionRecords
    finally:
        consumer.close()
