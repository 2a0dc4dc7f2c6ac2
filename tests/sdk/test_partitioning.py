"""The emitter picks the partition itself (cached key hash): it must be the one Kafka's default picks."""

from __future__ import annotations

import random
import socket
import time
from pathlib import Path

import pytest
from kafka.partitioner.default import DefaultPartitioner
from kafka.partitioner.default import murmur2 as kafka_murmur2

import aftershock.sdk.emitter as emitter_module
from aftershock.sdk.emitter import Emitter
from aftershock.sdk.records import event_key, key_hash, murmur2
from aftershock.settings import EVENT_TYPES, KafkaSettings
from schemas.examples import example_event


class _Cluster:
    """Just the metadata questions kafka-python's DefaultPartitioner asks (pure logic, no broker)."""

    def __init__(self, topic: str, partitions: int) -> None:
        self.topic, self.partitions = topic, set(range(partitions))

    def topics(self) -> set[str]:
        return {self.topic}

    def partitions_for_topic(self, topic: str) -> set[int]:
        return self.partitions

    def available_partitions_for_topic(self, topic: str) -> set[int]:
        return self.partitions


@pytest.mark.parametrize("partitions", [1, 2, 3, 6, 12, 50])
def test_cached_hash_picks_the_default_partitioners_partition(partitions: int) -> None:
    keys = [event_key(example_event(t)).encode() for t in EVENT_TYPES]
    keys += [f"inc-{i}".encode() for i in range(200)] + ["sess-é-ü".encode(), b"x"]
    cluster = _Cluster("audit.incidents", partitions)
    default = DefaultPartitioner()
    for key in keys:
        expected = default.partition("audit.incidents", None, key, None, None, cluster)
        assert key_hash(key) % partitions == expected, key
        assert key_hash(key) % partitions == expected  # answered from the cache: still the same


def test_a_configured_partitioner_keeps_the_choice(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"127.0.0.1:{sock.getsockname()[1]}"
    config = {"partitioner": DefaultPartitioner()}
    custom = Emitter(dead, tmp_path, KafkaSettings().topic_for, producer_config=config)
    route = custom._route(example_event("incident"))
    assert custom._partition(route, b"inc-1", time.monotonic()) is None  # the configured one decides
    custom.close()


def test_murmur2_is_kafkas_for_keys_of_every_length() -> None:
    rng = random.Random(7)  # noqa: S311 - reproducible test data
    keys = [bytes(rng.randrange(256) for _ in range(n)) for n in range(80) for _ in range(5)]
    keys += ["sess-é-ü".encode(), b"\xff" * 9, b"\x00" * 4]
    for key in keys:
        assert murmur2(key) == kafka_murmur2(key), key


class _Producer:
    """Just the metadata question the emitter asks kafka-python's producer (pure logic, no broker)."""

    def __init__(self, partitions: int) -> None:
        self.partitions = partitions

    def partitions_for(self, topic: str) -> set[int]:
        return set(range(self.partitions))


def test_partition_count_is_read_again_after_its_ttl_and_for_a_new_producer(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"127.0.0.1:{sock.getsockname()[1]}"
    emitter = Emitter(dead, tmp_path, KafkaSettings().topic_for)
    key = next(k for k in (f"inc-{i}".encode() for i in range(100)) if key_hash(k) % 3 != key_hash(k) % 12)
    producer = _Producer(3)
    emitter._link.producer = producer
    route = emitter._route(example_event("incident"))
    now = time.monotonic()
    assert emitter._partition(route, key, now) == key_hash(key) % 3
    producer.partitions = 12  # the topic grew
    assert emitter._partition(route, key, now + 0.1) == key_hash(key) % 3  # the count is still trusted
    assert emitter._partition(route, key, now + emitter_module.PARTITIONS_TTL_S + 0.1) == key_hash(key) % 12
    emitter._link.producer, emitter._link.generation = _Producer(3), emitter._link.generation + 1
    emitter._recover()  # a new producer (the broker came back): it is asked again at once
    assert emitter._partition(route, key, now + emitter_module.PARTITIONS_TTL_S + 0.2) == key_hash(key) % 3
    emitter._link.producer = None
    emitter.close()
