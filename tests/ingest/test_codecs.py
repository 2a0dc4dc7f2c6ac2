"""Record batches of every Kafka codec, from kafka-python and from the Java client, land exactly once."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from kafka import KafkaProducer

from aftershock.settings import EVENT_TYPES, KafkaSettings
from lake.manifest import snapshot
from lake.reader import open_lake
from tests.ingest.java_producer import JavaProducer
from tests.ingest.kafka_data import create_topics, serialised_events, to_audit_topics
from tests.ingest.worker_proc import start_worker, worker_env

pytestmark = [pytest.mark.kafka, pytest.mark.slow]
CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]
PER_CODEC = 400


def lake_event_ids(lake: Path) -> Counter[str]:
    con = open_lake(lake)
    ids: Counter[str] = Counter()
    for table in EVENT_TYPES:
        ids.update(r[0] for r in con.execute(f"SELECT event_id FROM {table}").fetchall())  # noqa: S608
    return ids


def _python_produce(bootstrap: str, codec: str, records: list[tuple[str, bytes | None]]) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=20,
                             compression_type=None if codec == "none" else codec)
    for i, (topic, value) in enumerate(records):
        producer.send(topic, value=value, key=str(i % 97).encode())
    producer.flush()
    producer.close()


def test_every_codec_from_both_clients_lands_exactly_once(
        kafka_bootstrap: str, topic_prefix: str, group_id: str, tmp_path: Path) -> None:
    kafka = KafkaSettings(topic_prefix=topic_prefix)
    create_topics(kafka_bootstrap, kafka.audit_topics() + [kafka.dead_letter_topic])
    expected = set()
    java_jobs = []
    for codec in CODECS:
        python_events = serialised_events(PER_CODEC, prefix=f"py-{codec}-")
        _python_produce(kafka_bootstrap, codec, to_audit_topics(kafka, python_events))
        java_events = serialised_events(PER_CODEC, prefix=f"java-{codec}-")
        java_jobs.append((codec, "plain", [(kafka.topic_for(t), raw) for t, raw in java_events]))
        expected |= {f"{side}-{codec}-{i}" for side in ("py", "java") for i in range(PER_CODEC)}
    JavaProducer(kafka_bootstrap, java_jobs, tmp_path / "java").wait_sent()

    log = tmp_path / "worker.log"
    worker = start_worker(tmp_path / "lake", worker_env(kafka_bootstrap, topic_prefix, group_id), log)
    assert worker.wait(timeout=180) == 0, log.read_text()[-3000:]
    ids = lake_event_ids(tmp_path / "lake")
    assert set(ids) == expected and max(ids.values()) == 1
    assert snapshot(tmp_path / "lake").files_of("dead_letter") == []
    assert "0 undecodable ranges" in log.read_text()
