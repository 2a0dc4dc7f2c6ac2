"""Crash safety and rebalancing: SIGKILL the worker at random moments and at the protocol's
critical points; afterwards the lake holds exactly the distinct events produced.

Both tests produce their events in waves: the crash test one wave per worker run, so every run
has a backlog to crash in however fast the worker drains it (a worker that found nothing left
would reach neither its crash point nor a kill before going idle); the rebalance test streams
them while one worker is killed."""

from __future__ import annotations

import os
import random
import signal
import time
from collections.abc import Callable
from pathlib import Path
from threading import Thread

import pytest
from kafka import KafkaConsumer, TopicPartition

from aftershock.settings import EVENT_TYPES, KafkaSettings
from lake.manifest import snapshot
from lake.reader import open_lake
from lake.verify import verify_lake
from tests.ingest.kafka_data import create_topics, produce, serialised_events
from tests.ingest.worker_proc import raw_rows, start_worker, wait_for_log, worker_env

pytestmark = [pytest.mark.kafka, pytest.mark.slow]
# the seed of the random kill moments: printed by every test, and taken from here to repeat a run's
# choices (the machine's timing still varies from run to run); read at import, as the tests start
# with the AFTERSHOCK_* variables cleared
SEED = os.environ.get("AFTERSHOCK_TEST_SEED")
KILLS = [("mid_write", 2), ("after_publish", 1), ("after_manifest", 3), (None, 0),
         ("after_publish", 4), (None, 0), ("mid_write", 5), ("after_manifest", 1), (None, 0),
         (None, 0), ("after_publish", 2), (None, 0)]


@pytest.fixture
def rng(record_property: Callable[[str, object], None]) -> random.Random:
    """Random numbers from a seed that is printed (shown with a failure) and recorded in the
    JUnit report; AFTERSHOCK_TEST_SEED=<seed> repeats it."""
    seed = int(SEED) if SEED else random.SystemRandom().randrange(2**32)
    print(f"random seed {seed}: AFTERSHOCK_TEST_SEED={seed} repeats this run's choices")
    record_property("seed", seed)
    return random.Random(seed)  # noqa: S311 - kill moments, not secrets


def _records(kafka: KafkaSettings, count: int) -> list[tuple[str, bytes | None]]:
    """``count`` distinct events, then retries of the first 1 % (same source and event_id)."""
    events = serialised_events(count)
    replays = events[: count // 100]
    return [(kafka.topic_for(t), raw) for t, raw in events + replays]


def _waves(records: list[tuple[str, bytes | None]], parts: int) -> list[list[tuple[str, bytes | None]]]:
    size = -(-len(records) // parts)
    return [records[i:i + size] for i in range(0, len(records), size)]


def _assert_exact(lake: Path, kafka: KafkaSettings, bootstrap: str, count: int) -> None:
    con = open_lake(lake)
    ids: list[str] = []
    for table in EVENT_TYPES:
        ids += [r[0] for r in con.execute(f"SELECT event_id FROM {table}").fetchall()]  # noqa: S608
    assert len(ids) == count and set(ids) == {f"e{i}" for i in range(count)}
    for table in EVENT_TYPES:  # no Kafka offset landed twice, even before dedupe
        raw = raw_rows(lake, table)
        total, distinct = raw.execute(
            "SELECT count(*), count(DISTINCT (_topic, _partition, _offset)) FROM raw").fetchone()  # type: ignore[misc]
        assert total == distinct
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    ends = consumer.end_offsets([TopicPartition(t, p) for t in kafka.audit_topics() for p in range(3)])
    consumer.close()
    positions = snapshot(lake).positions
    assert {(tp.topic, tp.partition): end for tp, end in ends.items() if end} == positions
    assert verify_lake(lake).findings == []


def test_sigkill_at_random_and_protocol_points_loses_and_duplicates_nothing(
        kafka_bootstrap: str, topic_prefix: str, group_id: str, tmp_path: Path,
        rng: random.Random) -> None:
    kafka = KafkaSettings(topic_prefix=topic_prefix)
    count = 200_000
    create_topics(kafka_bootstrap, kafka.audit_topics())
    waves = _waves(_records(kafka, count), len(KILLS))
    assert len(waves) == len(KILLS)
    lake = tmp_path / "lake"
    # batches of 1,000: a wave (~1,100 events per partition) takes several batches, files and
    # manifest entries per partition, so the n-th arrival at each crash point comes in its run
    env = worker_env(kafka_bootstrap, topic_prefix, group_id, instance_id="w1",
                     batch_max_records=1000, batch_max_age_s=1)
    assert len(KILLS) >= 10
    for run, (point, nth) in enumerate(KILLS):
        produce(kafka_bootstrap, waves[run])
        log = tmp_path / f"run{run}.log"
        crash = f"{point}:{nth}" if point else None
        # idle for 6 s before exiting on its own: longer than any random kill waits
        worker = start_worker(lake, env, log, until_idle=6, crash_point=crash)
        if point is None:  # a random moment after the worker got its partitions
            wait_for_log(log, r" [1-9]\d* partitions", timeout_s=60)
            time.sleep(rng.uniform(0.0, 2.5))
            worker.send_signal(signal.SIGKILL)
        code = worker.wait(timeout=120)
        assert code == -signal.SIGKILL, f"run {run} ({crash}) exited {code}: {log.read_text()[-3000:]}"
    final = start_worker(lake, env, tmp_path / "final.log", until_idle=4)
    assert final.wait(timeout=300) == 0, (tmp_path / "final.log").read_text()[-3000:]
    _assert_exact(lake, kafka, kafka_bootstrap, count)


def _stream(bootstrap: str, waves: list[list[tuple[str, bytes | None]]], pause_s: float) -> Thread:
    """Produce ``waves`` one after another, ``pause_s`` apart, on a background thread."""
    def run() -> None:
        for wave in waves:
            produce(bootstrap, wave)
            time.sleep(pause_s)
    thread = Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_two_workers_one_killed_mid_stream(
        kafka_bootstrap: str, topic_prefix: str, group_id: str, tmp_path: Path,
        rng: random.Random) -> None:
    """Events keep arriving while one of two workers is killed: the other takes its partitions
    over and the lake still holds each event once."""
    kafka = KafkaSettings(topic_prefix=topic_prefix)
    count = 60_000
    create_topics(kafka_bootstrap, kafka.audit_topics())
    first_wave, *rest = _waves(_records(kafka, count), 12)
    produce(kafka_bootstrap, first_wave)
    lake = tmp_path / "lake"
    env = worker_env(kafka_bootstrap, topic_prefix, group_id, batch_max_records=3000,
                     batch_max_age_s=1)
    first = start_worker(lake, env, tmp_path / "a.log", until_idle=None)
    second = start_worker(lake, env, tmp_path / "b.log", until_idle=12)
    wait_for_log(tmp_path / "a.log", r"progress: [1-9]\d* events landed", timeout_s=60)
    streamer = _stream(kafka_bootstrap, rest, pause_s=0.3)
    time.sleep(rng.uniform(0.0, 1.5))
    assert streamer.is_alive()  # the kill lands while events are still arriving
    first.send_signal(signal.SIGKILL)
    assert first.wait(timeout=30) == -signal.SIGKILL
    streamer.join(timeout=120)
    assert not streamer.is_alive()
    assert second.wait(timeout=300) == 0, (tmp_path / "b.log").read_text()[-3000:]
    _assert_exact(lake, kafka, kafka_bootstrap, count)
