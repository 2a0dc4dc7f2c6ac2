"""A first real round trip through the broker with kafka-python."""

from __future__ import annotations

from collections import defaultdict

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic

pytestmark = pytest.mark.kafka


def test_produce_then_consume_keeps_content_order_and_offsets(
    kafka_bootstrap: str, topic: str, group_id: str
) -> None:
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
    admin.close()

    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    sent = []
    for i in range(60):
        key = f"key-{i % 7}".encode()
        meta = producer.send(topic, key=key, value=f"value-{i}".encode()).get(timeout=30)
        sent.append((meta.partition, meta.offset, key, f"value-{i}".encode()))
    producer.close()

    consumer = KafkaConsumer(
        topic, bootstrap_servers=kafka_bootstrap, group_id=group_id,
        auto_offset_reset="earliest", enable_auto_commit=False, consumer_timeout_ms=15_000,
    )
    got = []
    for record in consumer:
        got.append((record.partition, record.offset, record.key, record.value))
        if len(got) == len(sent):
            break
    consumer.close()

    assert sorted(got) == sorted(sent)
    by_partition: dict[int, list[int]] = defaultdict(list)
    for partition, offset, _, _ in got:
        by_partition[partition].append(offset)
    for offsets in by_partition.values():
        assert sorted(offsets) == list(range(len(offsets)))  # contiguous from 0
    by_key: dict[bytes, list[int]] = defaultdict(list)
    for _, _, key, value in sorted(got):
        by_key[key].append(int(value.decode().split("-")[1]))
    for values in by_key.values():
        assert values == sorted(values)  # one key's records keep their order
