"""ingest/kafka_internals.py: the version check, and the pause/resume stall it works around, shown
on a real broker with kafka-python's own consumer (with and without the workaround)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from aftershock.errors import ConfigError
from ingest import kafka_internals
from tests.ingest.kafka_data import create_topics

PER_PARTITION = 3_000


def test_another_kafka_python_is_refused_with_one_line() -> None:
    with pytest.raises(ConfigError, match=r"kafka-python 3\.1\.0 is installed .*kafka-python==3\.0\.12"):
        kafka_internals.check("3.1.0")


def test_the_installed_kafka_python_is_the_pinned_one() -> None:
    kafka_internals.check()


def _fill(bootstrap: str, topic: str) -> None:
    create_topics(bootstrap, [topic], partitions=2)
    producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=20, batch_size=1 << 20)
    for partition in (0, 1):
        for i in range(PER_PARTITION):
            producer.send(topic, value=b"%d" % i, partition=partition)
    producer.flush()
    producer.close()


def _read_with_a_pause(bootstrap: str, topic: str, after_resume: Callable[[Any], None]) -> int:
    """Records of partition 0 read when it is paused while its fetched records wait in the
    consumer's slot, partition 1 is drained meanwhile, then partition 0 is resumed."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                             auto_offset_reset="earliest", max_poll_records=50)
    p0, p1 = TopicPartition(topic, 0), TopicPartition(topic, 1)
    consumer.assign([p0, p1])
    got = {p0: 0, p1: 0}
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # until a poll returns part of a fetch of partition 0
            polled = consumer.poll(timeout_ms=500)
            for tp, records in polled.items():
                got[tp] += len(records)
            if list(polled) == [p0] and got[p0] < PER_PARTITION:
                break
        consumer.pause(p0)
        deadline = time.monotonic() + 30
        while got[p1] < PER_PARTITION and time.monotonic() < deadline:
            got[p1] += sum(len(r) for r in consumer.poll(timeout_ms=500).values())
        consumer.resume(p0)
        after_resume(consumer)
        deadline = time.monotonic() + 8
        while got[p0] < PER_PARTITION and time.monotonic() < deadline:
            for tp, records in consumer.poll(timeout_ms=500).items():
                got[tp] += len(records)
            after_resume(consumer)
        assert got[p1] == PER_PARTITION
        return got[p0]
    finally:
        consumer.close()


@pytest.mark.kafka
def test_a_resumed_partition_stalls_without_the_workaround_and_not_with_it(
        kafka_bootstrap: str, topic: str) -> None:
    _fill(kafka_bootstrap, topic)
    with_it = _read_with_a_pause(kafka_bootstrap, topic, kafka_internals.restore_parked)
    without = _read_with_a_pause(kafka_bootstrap, topic, lambda consumer: None)
    assert with_it == PER_PARTITION
    # kafka-python 3.0.12 never hands back the parked records: when an upgrade fixes that, this
    # fails, and the workaround (and the exact pin) can go
    assert without < PER_PARTITION
