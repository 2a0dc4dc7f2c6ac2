"""Nothing secret lands, end to end on a real broker: the secret corpus sent raw to the audit topics
(valid and invalid records, secret keys too) is ingested by the real worker, and no secret is in any
Parquet file of the lake nor on the dead-letter topic; sent through the SDK emitter, none reaches
the audit topics."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from kafka import KafkaConsumer, KafkaProducer

from aftershock.sdk.emitter import Emitter
from aftershock.settings import KafkaSettings
from lake.reader import open_lake
from schemas.event import parse_obj
from tests.ingest.kafka_data import create_topics
from tests.ingest.worker_proc import start_worker, worker_env
from tests.schemas.secret_corpus import SHAPES, events, invalid_records

pytestmark = pytest.mark.kafka
VALID = events()
INVALID = invalid_records()
SECRETS = sorted({s for *_, s in VALID} | {s for *_, s in INVALID} | {s for *_, s in SHAPES})


def _strings(value: Any) -> Iterator[str]:
    """Every text in ``value`` (bytes read as UTF-8 with and without their bad bytes and NULs)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, bytes):
        yield value.decode(errors="replace")
        yield value.decode(errors="ignore").replace("\x00", "")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _leaks(values: Any) -> list[str]:
    texts = list(_strings(values))
    return [secret for secret in SECRETS if any(secret in text for text in texts)]


def _read_all(bootstrap: str, topics: list[str], expected: int) -> list[Any]:
    consumer = KafkaConsumer(*topics, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                             enable_auto_commit=False, group_id=f"t-{uuid.uuid4().hex}",
                             consumer_timeout_ms=2_000)
    records: list[Any] = []
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and len(records) < expected:
            records.extend(consumer)
    finally:
        consumer.close()
    return records


def test_no_secret_lands_in_the_lake_or_on_the_dead_letter_topic(
        kafka_bootstrap: str, topic_prefix: str, group_id: str, tmp_path: Path) -> None:
    kafka = KafkaSettings(topic_prefix=topic_prefix)
    sent = [json.dumps(body) for _, body, _ in VALID] + [raw for _, raw, _ in INVALID]
    assert _leaks(sent) == SECRETS  # what is sent carries every secret, and _leaks sees them
    create_topics(kafka_bootstrap, kafka.audit_topics() + [kafka.dead_letter_topic])
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all", linger_ms=20)
    shapes = [text.encode() for _, text, _ in SHAPES]
    for n, (_, body, _) in enumerate(VALID):
        producer.send(kafka.topic_for(body["event_type"]), value=json.dumps(body).encode(),
                      key=shapes[n % len(shapes)])
    for n, (_, raw, _) in enumerate(INVALID):
        topics = kafka.audit_topics()
        producer.send(topics[n % len(topics)], value=raw, key=shapes[n % len(shapes)])
    producer.flush()
    producer.close()

    log = tmp_path / "worker.log"
    worker = start_worker(tmp_path / "lake", worker_env(kafka_bootstrap, topic_prefix, group_id), log)
    assert worker.wait(timeout=180) == 0, log.read_text()[-3000:]

    files = sorted((tmp_path / "lake").glob("**/*.parquet"))
    assert files
    for path in files:
        assert not _leaks(pq.read_table(path).to_pylist()), path
    assert not _leaks(log.read_text())
    con = open_lake(tmp_path / "lake")
    landed = sum(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[index]  # noqa: S608
                 for t in ("agent_action", "change", "deployment", "incident", "gate_decision"))
    assert landed == len(VALID)  # every valid event landed (none lost to a redacted id)
    hashes = con.execute("SELECT raw_sha256 FROM dead_letter").fetchall()
    assert sorted(h for (h,) in hashes) == sorted(hashlib.sha256(raw).hexdigest() for _, raw, _ in INVALID)

    letters = _read_all(kafka_bootstrap, [kafka.dead_letter_topic], len(INVALID))
    assert len(letters) == len(INVALID)
    for record in letters:
        assert not _leaks([record.value, record.key, record.headers]), record.value[:200]


def test_the_emitter_sends_no_secret(kafka_bootstrap: str, topic_prefix: str, tmp_path: Path) -> None:
    kafka = KafkaSettings(topic_prefix=topic_prefix)
    create_topics(kafka_bootstrap, kafka.audit_topics())
    with Emitter(kafka_bootstrap, tmp_path / "spool", kafka.topic_for) as emitter:
        for n, (_, body, _) in enumerate(VALID):
            emitter.emit(parse_obj(body) if n % 2 else json.dumps(body).encode())
    assert emitter.spooled == 0
    records = _read_all(kafka_bootstrap, kafka.audit_topics(), len(VALID))
    assert len(records) == len(VALID)
    for record in records:
        assert not _leaks([record.value, record.key, record.headers]), record.value[:200]
        assert parse_obj(json.loads(record.value)).redactions  # and each says what it removed
