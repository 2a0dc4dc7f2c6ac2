"""Shared pieces of the SDK tests: numbered events and reading the audit topics back."""

from __future__ import annotations

import json
import time
import uuid

from kafka import KafkaConsumer

from aftershock.settings import EVENT_TYPES, KafkaSettings
from schemas.event import Event
from schemas.examples import example_event


def numbered_events(per_type: int, run: str | None = None) -> list[Event]:
    """``per_type`` events of every type, interleaved, each with a fresh id and a sequence number."""
    run = run or uuid.uuid4().hex[:8]
    events = []
    for i in range(per_type):
        for event_type in EVENT_TYPES:
            events.append(example_event(event_type, event_id=f"{run}-{event_type}-{i}",
                                        attributes={"seq": str(len(events))}))
    return events


def read_topics(bootstrap: str, kafka: KafkaSettings, expected: int | set[str],
                timeout_s: float = 60) -> list[dict]:
    """Every record on the audit topics (as decoded events, with headers), until ``expected`` distinct
    event ids (a count, or the ids that must all be there)."""
    consumer = KafkaConsumer(*kafka.audit_topics(), bootstrap_servers=bootstrap,
                             auto_offset_reset="earliest", enable_auto_commit=False,
                             group_id=f"t-{uuid.uuid4().hex}", consumer_timeout_ms=2_000)
    records: list[dict] = []
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline and not _complete({r["event_id"] for r in records}, expected):
            for message in consumer:
                records.append(json.loads(message.value) | {
                    "_headers": dict(message.headers), "_key": message.key, "_topic": message.topic})
    finally:
        consumer.close()
    return records


def _complete(seen: set[str], expected: int | set[str]) -> bool:
    return expected <= seen if isinstance(expected, set) else len(seen) >= expected
