"""The emitter against a real broker: delivery, replay after a restart, a broker killed mid-way."""

from __future__ import annotations

import os
import signal
import socket
import time
from collections import Counter
from pathlib import Path

import pytest

from aftershock.broker.local import LocalBroker
from aftershock.sdk.emitter import Emitter
from aftershock.settings import EVENT_TYPES, BrokerSettings, KafkaSettings
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
    for record in got:
        assert record["_topic"] == kafka.topic_for(record["event_type"])
        assert record["_headers"]["event-type"] == record["event_type"].encode()
        assert record["_headers"]["schema-version"] == b"1.0"


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


@pytest.mark.slow
def test_broker_killed_mid_way_loses_nothing(topic_prefix: str, tmp_path: Path) -> None:
    broker = LocalBroker(BrokerSettings(state_dir=tmp_path / "broker"))
    state, _ = broker.start()
    kafka = KafkaSettings(topic_prefix=topic_prefix)
    events = numbered_events(40)  # 40 of every type
    half = len(events) // 2
    try:
        emitter = Emitter(state.bootstrap, tmp_path / "spool", kafka.topic_for, delivery_timeout_ms=4_000)
        for event in events[:half]:
            emitter.emit(event)
        os.kill(state.pid or 0, signal.SIGKILL)  # no goodbye: in-flight records are cut off
        for event in events[half:]:
            emitter.emit(event)
        emitter.close()
        assert emitter.spooled > 0
        _wait_port_free(state.port)
        state, started = broker.start()
        assert started
        Emitter(state.bootstrap, tmp_path / "spool", kafka.topic_for).close()
        got = read_topics(state.bootstrap, kafka, len(events))
    finally:
        broker.stop()
    distinct = {r["event_id"] for r in got}
    assert distinct == {e.event_id for e in events}
    assert Counter(r["event_type"] for r in got if r["event_id"] in distinct).keys() == set(EVENT_TYPES)
    assert len(distinct) == len(events) == 200


def _wait_port_free(port: int, timeout_s: float = 120) -> None:
    """A killed broker leaves its port in TIME_WAIT for up to a minute; the restart needs it free."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
                return
            except OSError:
                time.sleep(1)
