"""Several ingest workers on "different hosts" (separate scratch folders, nothing shared but the
broker and one bucket of a real S3 API on loopback) land the same topics while being killed with
SIGKILL at random moments and at the protocol's critical points; one is restarted with a fresh
scratch folder. Afterwards the lake holds every event exactly once, verify passes, and a
tampered object is caught."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from threading import Thread

import duckdb
import pytest
from kafka import KafkaConsumer, TopicPartition

from aftershock.settings import EVENT_TYPES, KafkaSettings, LakeSettings
from lake.object_manifest import ObjectManifest
from lake.object_reader import open_object_lake, s3_filesystem
from lake.object_verify import verify_object_lake
from lake.object_witness import ObjectWitness
from lake.storage import S3Store, open_store
from tests.ingest.kafka_data import create_topics, produce, serialised_events
from tests.ingest.worker_proc import wait_for_log, worker_env

pytestmark = [pytest.mark.kafka, pytest.mark.slow]
SEED = os.environ.get("AFTERSHOCK_TEST_SEED")
# events produced; AFTERSHOCK_TEST_S3_EVENTS=<n> runs a shorter version while developing
EVENTS = int(os.environ.get("AFTERSHOCK_TEST_S3_EVENTS", "200000"))
# (worker to kill, crash point or None for a random moment, fresh scratch folder on restart)
KILLS = [(0, None, False), (1, "after_publish:2", False), (2, None, True), (0, "before_entry:1", False),
         (1, None, True), (2, "before_head:1", False), (0, None, False), (1, None, False)]


@pytest.fixture
def rng(record_property: Callable[[str, object], None]) -> random.Random:
    seed = int(SEED) if SEED else random.SystemRandom().randrange(2**32)
    print(f"random seed {seed}: AFTERSHOCK_TEST_SEED={seed} repeats this run's choices")
    record_property("seed", seed)
    return random.Random(seed)  # noqa: S311 - kill moments, not secrets


class Host:
    """One worker host: its own scratch folder (working directory, state folder: dead-letter
    spool, nothing else), the shared bucket as its lake and anchor store."""

    def __init__(self, root: Path, name: str, env: dict[str, str], lake: str) -> None:
        self.root, self.name, self.env, self.lake = root, name, env, lake
        self.runs = 0
        self.scratch = self._fresh()
        self.proc: subprocess.Popen[bytes] | None = None

    def _fresh(self) -> Path:
        scratch = self.root / f"{self.name}-scratch{self.runs}"
        scratch.mkdir(parents=True)
        return scratch

    @property
    def log(self) -> Path:
        return self.root / f"{self.name}-run{self.runs}.log"

    def start(self, crash: str | None = None, fresh: bool = False,
              until_idle: float | None = None) -> None:
        """Start the worker: until SIGTERM (or its crash point), or until idle that long."""
        self.runs += 1
        if fresh:
            self.scratch = self._fresh()
        env = self.env | {"XDG_STATE_HOME": str(self.scratch / "state"),
                          "XDG_CACHE_HOME": str(self.scratch / "cache")}
        if crash:
            env["AFTERSHOCK_CRASH_POINT"] = crash
        command = [sys.executable, "-m", "aftershock", "ingest", "run", "--lake", self.lake]
        if until_idle is not None:
            command += ["--until-idle", str(until_idle)]
        with open(self.log, "ab") as handle:
            self.proc = subprocess.Popen(command, env=env, cwd=self.scratch, stdout=handle,
                                         stderr=handle)


def _stream(bootstrap: str, waves: list[list[tuple[str, bytes | None]]], pause_s: float) -> Thread:
    def run() -> None:
        for wave in waves:
            produce(bootstrap, wave)
            time.sleep(pause_s)
    thread = Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_three_workers_on_one_bucket_killed_at_random_land_every_event_once(
        kafka_bootstrap: str, topic_prefix: str, group_id: str, tmp_path: Path, bucket: str,
        s3_env: str, rng: random.Random) -> None:
    kafka = KafkaSettings(topic_prefix=topic_prefix)
    create_topics(kafka_bootstrap, kafka.audit_topics())
    events = serialised_events(EVENTS)
    records = [(kafka.topic_for(t), raw) for t, raw in events + events[: EVENTS // 100]]
    size = -(-len(records) // (len(KILLS) + 1))
    waves = [records[i:i + size] for i in range(0, len(records), size)]
    assert len(waves) == len(KILLS) + 1
    lake = f"s3://{bucket}/lake"
    env = worker_env(kafka_bootstrap, topic_prefix, group_id, batch_max_records=2000,
                     batch_max_age_s=1) | {"AFTERSHOCK_LAKE__ANCHOR_STORE": f"s3://{bucket}/anchors"}
    hosts = [Host(tmp_path, f"host{n}", env, lake) for n in range(3)]
    produce(kafka_bootstrap, waves[0])
    for host in hosts:
        host.start()
    wait_for_log(hosts[0].log, r"progress: [1-9]\d* events landed", timeout_s=120)
    for (victim, crash, fresh), wave in zip(KILLS, waves[1:], strict=True):
        host = hosts[victim]
        assert host.proc is not None
        if crash is not None:  # reached at the n-th arrival in this run
            host.proc.send_signal(signal.SIGKILL)
            assert host.proc.wait(timeout=60) == -signal.SIGKILL
            host.start(crash=crash)
            # its wave only once it holds partitions: else the others may land it all first and
            # it never reaches its crash point
            wait_for_log(host.log, r" [1-9]\d* partitions", timeout_s=120)
        produce_in_background = _stream(kafka_bootstrap, [wave], pause_s=0)
        if crash is None:
            time.sleep(rng.uniform(0.5, 3.0))
            host.proc.send_signal(signal.SIGKILL)
        code = host.proc.wait(timeout=300)
        assert code == -signal.SIGKILL, f"{host.name} ({crash}) exited {code}: {host.log.read_text()[-3000:]}"
        produce_in_background.join(timeout=300)
        host.start(fresh=fresh)
    time.sleep(5)
    for host in hosts:  # a clean stop: each flushes what it holds
        assert host.proc is not None
        wait_for_log(host.log, r"aftershock ingest progress", timeout_s=120)  # handlers installed
        host.proc.send_signal(signal.SIGTERM)
    for host in hosts:
        assert host.proc is not None and host.proc.wait(timeout=600) == 0, host.log.read_text()[-3000:]
    hosts[0].start(until_idle=6)  # lands whatever the stopped workers left
    assert hosts[0].proc is not None and hosts[0].proc.wait(timeout=600) == 0
    _assert_exact(lake, kafka, kafka_bootstrap)
    _assert_tamper_caught(lake, bucket)


def _assert_exact(lake: str, kafka: KafkaSettings, bootstrap: str) -> None:
    store = open_store(lake)
    con = open_object_lake(store)
    ids: list[str] = []
    for table in EVENT_TYPES:
        ids += [r[0] for r in con.execute(f"SELECT event_id FROM {table}").fetchall()]  # noqa: S608
    assert len(ids) == EVENTS and set(ids) == {f"e{i}" for i in range(EVENTS)}
    state = ObjectManifest(store).refresh()
    assert isinstance(store, S3Store)
    raw = duckdb.connect()
    raw.register_filesystem(s3_filesystem(store))
    uris = [store.uri(p) for p in state.live if not p.startswith("event_type=dead_letter")]
    total, distinct = raw.execute(  # no Kafka offset landed twice, even before dedupe
        "SELECT count(*), count(DISTINCT (_topic, _partition, _offset)) FROM "
        "read_parquet($files, union_by_name = true)", {"files": uris}).fetchone()  # type: ignore[misc]
    assert total == distinct and EVENTS <= total <= EVENTS + EVENTS // 100
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    ends = consumer.end_offsets([TopicPartition(t, p) for t in kafka.audit_topics() for p in range(3)])
    consumer.close()
    assert {(tp.topic, tp.partition): end for tp, end in ends.items() if end} == state.positions
    report = verify_object_lake(store, LakeSettings(), _witness(store))
    assert report.findings == [], report.findings
    print(f"{report.entries} entries, {report.files} objects; notes: {report.notes}")


def _witness(store: S3Store) -> ObjectWitness:
    return ObjectWitness(S3Store(store.bucket, "anchors"), store.url)


def _assert_tamper_caught(lake: str, bucket: str) -> None:
    store = open_store(lake)
    assert isinstance(store, S3Store)
    victim = sorted(ObjectManifest(store).refresh().live)[len(EVENT_TYPES)]
    store.put(victim, store.read(victim)[:-1] + b"\0")
    findings = verify_object_lake(store, LakeSettings(), _witness(store)).findings
    assert findings == [f"{victim}: file edited (SHA-256 differs from the manifest)"]
