"""The emitter against a real broker: delivery, replay after a restart, programming errors surface.

Processes that end without ``close()`` while the broker is away: test_emitter_exit.py.
"""

from __future__ import annotations

import socket
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from kafka.serializer import Serializer

from aftershock.sdk.emitter import Emitter
from aftershock.sdk.records import event_key
from aftershock.settings import KafkaSettings
from schemas.common import SCHEMA_VERSION
from schemas.examples import example_event
from tests.sdk.helpers import numbered_events, read_topics

pytestmark = pytest.mark.kafka


def test_events_arrive_keyed_with_headers(kafka_bootstrap: str, topic_prefix: str, tmp_path: Path) -> None:
    kafka = KafkaSettings(topic_prefix=topic_prefix)
    events = numbered_events(4)
    with Emitter(kafka_bootstrap, tmp_path, kafka.topic_for) as emitter:
        for event in events:
            emitter.emit(event)
    assert emitter.spooled == 0
    got = read_topics(kafka_bootstrap, kafka, len(events))
    assert sorted(r["event_id"] for r in got) == sorted(e.event_id for e in events)
    keys = {e.event_id: event_key(e).encode() for e in events}
    for record in got:
        assert record["_topic"] == kafka.topic_for(record["event_type"])
        assert record["_key"] == keys[record["event_id"]]
        assert record["_headers"]["event-type"] == record["event_type"].encode()
        assert record["_headers"]["schema-version"] == SCHEMA_VERSION.encode()
        assert record["_headers"]["content-type"] == b"application/json"


def test_spool_written_offline_is_replayed_in_order_by_the_next_process(
    kafka_bootstrap: str, topic_prefix: str, tmp_path: Path
) -> None:
    kafka = KafkaSettings(topic_prefix=topic_prefix)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"127.0.0.1:{sock.getsockname()[1]}"
    events = numbered_events(3)
    with Emitter(dead, tmp_path, kafka.topic_for) as offline:
        for event in events:
            offline.emit(event)
    assert offline.spooled == len(events)
    Emitter(kafka_bootstrap, tmp_path, kafka.topic_for).close()  # a restart: replays on start
    got = read_topics(kafka_bootstrap, kafka, len(events))
    seqs = [int(r["attributes"]["seq"]) for r in got if r["event_type"] == "incident"]
    assert seqs == sorted(seqs) and len(seqs) == 3  # one key, one partition: emission order
    assert Counter(r["event_id"] for r in got) == Counter(e.event_id for e in events)


class BuggySerializer(Serializer):  # type: ignore[misc]
    """A producer hook with a bug in it."""

    def serialize(self, topic: str, headers: list[tuple[str, bytes]], data: Any) -> bytes:
        return data.encoded  # type: ignore[no-any-return]  # bytes have no such attribute


def test_a_programming_error_on_the_send_path_is_raised_not_spooled(
    kafka_bootstrap: str, topic_prefix: str, tmp_path: Path
) -> None:
    kafka = KafkaSettings(topic_prefix=topic_prefix)
    emitter = Emitter(kafka_bootstrap, tmp_path, kafka.topic_for,
                      producer_config={"value_serializer": BuggySerializer()})
    with pytest.raises(AttributeError, match="encoded"):
        emitter.emit(example_event("change"))
    assert emitter.spooled == 0
    emitter.close()


def test_a_programming_error_in_the_shipper_is_raised_to_the_caller_and_the_event_kept(
    kafka_bootstrap: str, topic_prefix: str, tmp_path: Path
) -> None:
    kafka = KafkaSettings(topic_prefix=topic_prefix)
    emitter = Emitter(kafka_bootstrap, tmp_path, kafka.topic_for, durability="spool_first",
                      producer_config={"value_serializer": BuggySerializer()})
    emitter.emit(example_event("change"))
    with pytest.raises(AttributeError, match="encoded"):
        emitter.flush(timeout=60)
    with pytest.raises(AttributeError, match="encoded"):
        emitter.emit(example_event("incident"))
    assert emitter.spooled == 1  # the emitted one waits for a fixed service
    with pytest.raises(AttributeError, match="encoded"):
        emitter.close()
