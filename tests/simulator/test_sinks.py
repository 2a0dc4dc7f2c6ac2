"""The simulator's sinks: the lake (through ingest's landing code) and Kafka (a real broker)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from aftershock.cli import main
from lake.reader import open_lake


def _ndjson_counts(tmp_path: Path, days: int, seed: int) -> Counter[str]:
    out = tmp_path / "events.ndjson"
    assert main(["simulate", "--days", str(days), "--seed", str(seed), "--out", str(out)]) == 0
    return Counter(json.loads(line)["event_type"] for line in out.read_bytes().splitlines())


def test_lake_sink_lands_every_event(tmp_path: Path) -> None:
    expected = _ndjson_counts(tmp_path, 10, 4)
    lake = tmp_path / "lake"
    assert main(["simulate", "--days", "10", "--seed", "4", "--lake", str(lake)]) == 0
    con = open_lake(lake)
    for event_type, count in expected.items():
        assert con.execute(f"SELECT count(*) FROM {event_type}").fetchone() == (count,), event_type  # noqa: S608
    assert con.execute("SELECT count(*) FROM dead_letter").fetchone() == (0,)


@pytest.mark.kafka
def test_kafka_sink_delivers_every_event(tmp_path: Path, kafka_bootstrap: str, topic_prefix: str,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from kafka import KafkaConsumer, TopicPartition

    expected = _ndjson_counts(tmp_path, 2, 9)
    monkeypatch.setenv("AFTERSHOCK_KAFKA__BOOTSTRAP_SERVERS", kafka_bootstrap)
    monkeypatch.setenv("AFTERSHOCK_KAFKA__TOPIC_PREFIX", topic_prefix)
    assert main(["simulate", "--days", "2", "--seed", "9", "--kafka"]) == 0
    consumer = KafkaConsumer(bootstrap_servers=kafka_bootstrap)
    try:
        suffix = {"agent_action": "agent_actions", "change": "changes", "deployment": "deployments",
                  "incident": "incidents", "gate_decision": "gate_decisions"}
        for event_type, count in expected.items():
            topic = topic_prefix + suffix[event_type]
            parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
            assert sum(consumer.end_offsets(parts).values()) == count, topic
    finally:
        consumer.close()
