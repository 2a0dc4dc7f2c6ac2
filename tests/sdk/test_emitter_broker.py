"""The emitter against a real broker: delivery, replay after a restart, a broker killed mid-way."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from aftershock.sdk.emitter import Emitter, event_key
from aftershock.settings import EVENT_TYPES, KafkaSettings
from tests.sdk.helpers import numbered_events, read_topics

pytestmark = pytest.mark.kafka
REPO = Path(__file__).resolve().parents[2]


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
        assert record["_headers"]["schema-version"] == b"1.0"
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


@pytest.mark.slow
def test_broker_killed_mid_way_loses_nothing(topic_prefix: str, tmp_path: Path) -> None:
    command = [sys.executable, "-m", "tests.sdk.outage_scenario", str(tmp_path), topic_prefix, "40"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=REPO, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["restarted"] and result["spooled_during_outage"] > 0
    assert set(result["received"]) == set(result["sent"])  # nothing lost
    assert len(set(result["received"])) == len(result["sent"]) == 200  # exactly N distinct, 40 per type
    assert result["types"] == sorted(EVENT_TYPES)
