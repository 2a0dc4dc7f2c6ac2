"""Shared by the ingest benchmarks: a broker, a backlog of pre-serialised events, a lake."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from aftershock.settings import EVENT_TYPES, KafkaSettings
from schemas.examples import example_event

BASE = datetime(2026, 11, 2, 12, tzinfo=UTC)
PARTITIONS = 3


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextlib.contextmanager
def broker(bootstrap: str | None) -> Iterator[str]:
    """``bootstrap`` (or KAFKA_BOOTSTRAP_SERVERS) if given, else a fresh local broker."""
    given = bootstrap or os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if given:
        yield given
        return
    from aftershock.broker.local import LocalBroker
    from aftershock.settings import BrokerSettings

    with tempfile.TemporaryDirectory() as tmp:
        local = LocalBroker(BrokerSettings(state_dir=Path(tmp), heap="1g"), say)
        state, _ = local.start()
        try:
            yield state.bootstrap
        finally:
            local.stop()


def raw_events(count: int, offset: int = 0) -> Iterator[tuple[str, bytes]]:
    """``count`` distinct valid events as (event_type, JSON bytes): most occurred within two days,
    one in a hundred is a late arrival from up to 30 days back."""
    templates = {t: json.loads(example_event(t).model_dump_json()) for t in EVENT_TYPES}
    for i in range(offset, offset + count):
        event_type = EVENT_TYPES[i % len(EVENT_TYPES)]
        body = templates[event_type] | {"event_id": f"b{i}"}
        late = i % 100 == 0
        minutes = (i * 7919) % (43_200 if late else 2_880)
        body["occurred_at"] = (BASE - timedelta(minutes=minutes)).isoformat()
        yield event_type, json.dumps(body).encode()


def backlog(bootstrap: str, kafka: KafkaSettings, count: int) -> int:
    """Make sure the audit topics of ``kafka`` hold ``count`` events; returns how many they hold."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    with contextlib.suppress(TopicAlreadyExistsError):
        admin.create_topics([NewTopic(t, PARTITIONS, 1) for t in kafka.audit_topics()])
    admin.close()
    held = topic_size(bootstrap, kafka)
    if held >= count:
        return held
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks=1, linger_ms=50, batch_size=1 << 20)
    for n, (event_type, raw) in enumerate(raw_events(count - held, held), start=1):
        producer.send(kafka.topic_for(event_type), value=raw)
        if n % 100_000 == 0:
            say(f"produced {n:,}")
    producer.flush()
    producer.close()
    return topic_size(bootstrap, kafka)


def topic_size(bootstrap: str, kafka: KafkaSettings) -> int:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    tps = [TopicPartition(t, p) for t in kafka.audit_topics() for p in range(PARTITIONS)]
    try:
        return sum(consumer.end_offsets(tps).values()) - sum(consumer.beginning_offsets(tps).values())
    finally:
        consumer.close()
