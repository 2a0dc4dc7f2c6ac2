"""Fast test data for the ingest tests: pre-serialised events, batched producing, topics."""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from aftershock.settings import EVENT_TYPES, KafkaSettings
from schemas.examples import example_event

BASE = datetime(2026, 11, 2, 12, tzinfo=UTC)


def event_templates() -> dict[str, dict[str, object]]:
    """One valid JSON object per event type, to stamp ids into."""
    return {t: json.loads(example_event(t).model_dump_json()) for t in EVENT_TYPES}


def serialised_events(count: int, seed: int = 7, prefix: str = "e") -> list[tuple[str, bytes]]:
    """``count`` distinct valid events as (event_type, JSON bytes), occurred_at spread over
    10 days and deliberately out of order."""
    rng = random.Random(seed)  # noqa: S311 - test data, not security
    templates = event_templates()
    out = []
    for i in range(count):
        event_type = EVENT_TYPES[i % len(EVENT_TYPES)]
        body = dict(templates[event_type])
        body["event_id"] = f"{prefix}{i}"
        body["occurred_at"] = (BASE - timedelta(minutes=rng.randrange(14_400))).isoformat()
        out.append((event_type, json.dumps(body).encode()))
    return out


def create_topics(bootstrap: str, names: Iterable[str], partitions: int = 3) -> None:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        admin.create_topics([NewTopic(n, partitions, 1) for n in names])
    except TopicAlreadyExistsError:
        pass
    finally:
        admin.close()


def produce(bootstrap: str, records: Sequence[tuple[str, bytes | None]], key_every: int = 1) -> None:
    """Send (topic, value) pairs fast (large batches, linger) and wait for all acks."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks=1, linger_ms=50,
                             batch_size=1 << 20,
                             max_request_size=4 << 20)
    for i, (topic, value) in enumerate(records):
        producer.send(topic, value=value, key=str(i % 97).encode() if key_every else None)
    producer.flush()
    producer.close()


def to_audit_topics(kafka: KafkaSettings, events: Sequence[tuple[str, bytes]]
                    ) -> list[tuple[str, bytes | None]]:
    return [(kafka.topic_for(t), raw) for t, raw in events]
