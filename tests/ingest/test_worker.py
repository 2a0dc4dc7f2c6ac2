"""The Kafka worker on a real broker: exactly-once landing, poison records, graceful stop."""

from __future__ import annotations

import json
import random
import signal
from collections import Counter
from pathlib import Path

import pytest
from kafka import KafkaConsumer, TopicPartition

from aftershock.settings import EVENT_TYPES, KafkaSettings
from lake.reader import open_lake
from tests.ingest.kafka_data import create_topics, event_templates, produce, serialised_events
from tests.ingest.worker_proc import start_worker, wait_for_log, worker_env

pytestmark = pytest.mark.kafka
MAX_RECORD_BYTES = 4000


def _poison_kinds() -> list[tuple[str, bytes | None]]:
    """(expected reason, value) for every kind of malformed record."""
    change = event_templates()["change"]
    missing = {k: v for k, v in change.items() if k != "source"}
    naive = change | {"occurred_at": "2026-11-02T12:00:00"}
    bad_enum = change | {"payload": change["payload"] | {"author_kind": "robot"}}  # type: ignore[operator]
    huge = change | {"payload": change["payload"] | {"vcs_change_title": "x" * 5000}}  # type: ignore[operator]
    return [
        ("undecodable", b"\xff\xfe\x00 not utf-8"),
        ("undecodable", b"{not json"),
        ("undecodable", b""),
        ("undecodable", None),
        ("invalid", b"[1, 2]"),
        ("invalid", b"null"),
        ("invalid", json.dumps(missing).encode()),
        ("invalid", json.dumps(naive).encode()),
        ("invalid", json.dumps(bad_enum).encode()),
        ("unknown_type", json.dumps(change | {"event_type": "nope"}).encode()),
        ("oversized", json.dumps(huge).encode()),
    ]


def _lake_event_ids(lake: Path) -> Counter[str]:
    con = open_lake(lake)
    ids: Counter[str] = Counter()
    for table in EVENT_TYPES:
        ids.update(r[0] for r in con.execute(f"SELECT event_id FROM {table}").fetchall())  # noqa: S608
    return ids


def test_poison_records_are_dead_lettered_and_valid_events_land_once(
        kafka_bootstrap: str, topic_prefix: str, group_id: str, tmp_path: Path) -> None:
    kafka = KafkaSettings(topic_prefix=topic_prefix)
    create_topics(kafka_bootstrap, kafka.audit_topics() + [kafka.dead_letter_topic])
    rng = random.Random(11)  # noqa: S311
    valid = serialised_events(5000)
    records: list[tuple[str, bytes | None]] = [(kafka.topic_for(t), raw) for t, raw in valid]
    records += [(kafka.topic_for(t), raw) for t, raw in rng.sample(valid, 500)]  # replays
    poison = [kind for kind in _poison_kinds() for _ in range(100)]
    for _reason, value in poison:
        records.insert(rng.randrange(len(records)), (rng.choice(kafka.audit_topics()), value))
    produce(kafka_bootstrap, records)

    log = tmp_path / "worker.log"
    env = worker_env(kafka_bootstrap, topic_prefix, group_id, max_record_bytes=MAX_RECORD_BYTES)
    worker = start_worker(tmp_path / "lake", env, log)
    assert worker.wait(timeout=180) == 0, log.read_text()[-3000:]

    ids = _lake_event_ids(tmp_path / "lake")
    assert set(ids) == {f"e{i}" for i in range(5000)} and max(ids.values()) == 1
    con = open_lake(tmp_path / "lake")
    reasons = Counter(r[0] for r in con.execute("SELECT reason FROM dead_letter").fetchall())
    assert reasons == Counter(reason for reason, _ in poison)
    raws = sorted(r[0] for r in con.execute("SELECT raw FROM dead_letter").fetchall())
    assert raws == sorted(value or b"" for _, value in poison)
    assert con.execute("SELECT count(DISTINCT (_topic, _partition, _offset)) FROM dead_letter"
                       ).fetchone() == (len(poison),)
    _assert_dead_letter_topic(kafka_bootstrap, kafka.dead_letter_topic, con, len(poison))


def _assert_dead_letter_topic(bootstrap: str, topic: str, con: object, expected: int) -> None:
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                             consumer_timeout_ms=5000, enable_auto_commit=False)
    records = list(consumer)
    consumer.close()
    assert len(records) == expected
    headers = dict(records[0].headers)
    origin = (headers["__connect.errors.topic"].decode(),
              int(headers["__connect.errors.partition"]), int(headers["__connect.errors.offset"]))
    row = con.execute(  # type: ignore[attr-defined]
        "SELECT raw, reason, error_class FROM dead_letter WHERE _topic = $t AND _partition = $p "
        "AND _offset = $o", {"t": origin[0], "p": origin[1], "o": origin[2]}).fetchone()
    assert row == ((records[0].value or b""), headers["__connect.errors.reason"].decode(),
                   headers["__connect.errors.exception.class.name"].decode())
    assert headers["__connect.errors.exception.message"]


def test_sigterm_flushes_commits_and_exits_0(
        kafka_bootstrap: str, topic_prefix: str, group_id: str, tmp_path: Path) -> None:
    kafka = KafkaSettings(topic_prefix=topic_prefix)
    create_topics(kafka_bootstrap, kafka.audit_topics())
    produce(kafka_bootstrap, [(kafka.topic_for(t), raw) for t, raw in serialised_events(2000)])
    log = tmp_path / "worker.log"
    env = worker_env(kafka_bootstrap, topic_prefix, group_id, batch_max_age_s=600,
                     batch_max_records=10**6, buffer_max_records=10**6)
    worker = start_worker(tmp_path / "lake", env, log, until_idle=None)
    wait_for_log(log, r" 2000 buffered")
    assert not list((tmp_path / "lake").glob("event_type=*/date=*/*.parquet"))  # nothing flushed yet
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=60) == 0, log.read_text()[-3000:]
    assert sum(_lake_event_ids(tmp_path / "lake").values()) == 2000
    partitions = [TopicPartition(t, p) for t in kafka.audit_topics() for p in range(3)]
    consumer = KafkaConsumer(bootstrap_servers=kafka_bootstrap, group_id=group_id,
                             enable_auto_commit=False)
    committed = {tp: consumer.committed(tp) for tp in partitions}
    ends = consumer.end_offsets(partitions)
    consumer.close()
    assert committed == {tp: (end or None) for tp, end in ends.items()}
