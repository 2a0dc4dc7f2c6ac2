"""Transactional producers (kafka-python and the Java client): records of committed transactions
land exactly once, those of aborted ones never, those of an open one only once it commits."""

from __future__ import annotations

import signal
import uuid
from pathlib import Path

import pytest
from kafka import KafkaProducer

from aftershock.settings import KafkaSettings
from tests.ingest.java_producer import JavaProducer
from tests.ingest.kafka_data import create_topics, serialised_events, to_audit_topics
from tests.ingest.test_codecs import lake_event_ids
from tests.ingest.worker_proc import start_worker, wait_for_log, worker_env

pytestmark = [pytest.mark.kafka, pytest.mark.slow]
PER_TRANSACTION = 300


def _transaction(bootstrap: str, records: list[tuple[str, bytes | None]]) -> KafkaProducer:
    """A kafka-python producer whose transaction holds ``records`` (sent, not ended yet)."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, transactional_id=f"t-{uuid.uuid4()}",
                             transaction_timeout_ms=300_000, linger_ms=20)
    producer.init_transactions()
    producer.begin_transaction()
    for i, (topic, value) in enumerate(records):
        producer.send(topic, value=value, key=str(i % 97).encode())
    producer.flush()
    return producer


def _events(kafka: KafkaSettings, prefix: str) -> list[tuple[str, bytes | None]]:
    return to_audit_topics(kafka, serialised_events(PER_TRANSACTION, prefix=prefix))


def _ids(*prefixes: str) -> set[str]:
    return {f"{p}{i}" for p in prefixes for i in range(PER_TRANSACTION)}


def test_committed_land_once_aborted_never_open_once_committed(
        kafka_bootstrap: str, topic_prefix: str, group_id: str, tmp_path: Path) -> None:
    kafka = KafkaSettings(topic_prefix=topic_prefix)
    create_topics(kafka_bootstrap, kafka.audit_topics() + [kafka.dead_letter_topic])
    committed = _transaction(kafka_bootstrap, _events(kafka, "py-commit-"))
    committed.commit_transaction()
    aborted = _transaction(kafka_bootstrap, _events(kafka, "py-abort-"))
    aborted.abort_transaction()
    java = JavaProducer(kafka_bootstrap, [
        ("gzip", "commit", _events(kafka, "java-commit-")),
        ("lz4", "abort", _events(kafka, "java-abort-")),
        ("zstd", "open", _events(kafka, "java-open-"))], tmp_path / "java")
    java.wait_sent()
    still_open = _transaction(kafka_bootstrap, _events(kafka, "py-open-"))
    for producer in (committed, aborted):
        producer.close()

    lake, log = tmp_path / "lake", tmp_path / "worker.log"
    env = worker_env(kafka_bootstrap, topic_prefix, group_id, batch_max_age_s=1)
    worker = start_worker(lake, env, log, until_idle=None)
    try:
        wait_for_log(log, rf"progress: {2 * PER_TRANSACTION} events landed")
        assert set(lake_event_ids(lake)) == _ids("py-commit-", "java-commit-")
        still_open.commit_transaction()
        still_open.close()
        java.end("commit")
        wait_for_log(log, rf"progress: {4 * PER_TRANSACTION} events landed")
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=60) == 0, log.read_text()[-3000:]
    ids = lake_event_ids(lake)
    assert set(ids) == _ids("py-commit-", "java-commit-", "py-open-", "java-open-")
    assert max(ids.values()) == 1

    # the same records read uncommitted: the aborted ones are there too (so the above can fail)
    other, other_log = tmp_path / "uncommitted", tmp_path / "uncommitted.log"
    env = worker_env(kafka_bootstrap, topic_prefix, f"{group_id}-u", isolation_level="read_uncommitted")
    assert start_worker(other, env, other_log).wait(timeout=180) == 0, other_log.read_text()[-3000:]
    assert set(lake_event_ids(other)) == _ids("py-commit-", "java-commit-", "py-open-", "java-open-",
                                              "py-abort-", "java-abort-")
