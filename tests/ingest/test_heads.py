"""The heads topic and the consumer group's offsets on a real broker: the worker publishes each
signed head; ``verify`` finds a lake rolled back even when the witness file went with it, and a
head forged without the key."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType

from aftershock.settings import KafkaSettings, LakeSettings
from ingest.backfill import land_events
from ingest.heads import read_heads
from lake import keys
from lake.manifest import snapshot
from lake.witness import Witness
from schemas.examples import example_event
from tests.ingest.kafka_data import create_topics, produce, serialised_events, to_audit_topics
from tests.ingest.worker_proc import start_worker, worker_env

pytestmark = pytest.mark.kafka


def _ingest(lake: Path, env: dict[str, str], log: Path) -> None:
    worker = start_worker(lake, env, log, until_idle=3.0)
    assert worker.wait(timeout=120) == 0, log.read_text()[-3000:]


def _verify(lake: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "aftershock", "verify", "--lake", str(lake)],
                          env=env, capture_output=True, text=True, check=False)


def _heads_topic(bootstrap: str, topic: str) -> tuple[int, str]:
    """The topic's partition count and retention as the broker reports them."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        found = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
        (configs,) = [by_name[topic] for by_name in found.values() if topic in by_name]
        retention = configs["retention.ms"]
        value = retention["value"] if isinstance(retention, dict) else retention
        return len(admin.describe_topics([topic])[0]["partitions"]), str(value)
    finally:
        admin.close()


def test_heads_topic_and_group_offsets_find_a_rollback_and_a_forged_head(
        kafka_bootstrap: str, topic_prefix: str, group_id: str, tmp_path: Path) -> None:
    kafka = KafkaSettings(topic_prefix=topic_prefix)
    create_topics(kafka_bootstrap, kafka.audit_topics() + [kafka.dead_letter_topic])
    private, public = keys.generate(tmp_path / "keys")
    env = worker_env(kafka_bootstrap, topic_prefix, group_id) | {
        "AFTERSHOCK_LAKE__SIGNING_KEY": str(private), "AFTERSHOCK_LAKE__VERIFY_KEY": public}
    lake, older, log = tmp_path / "lake", tmp_path / "older", tmp_path / "worker.log"
    events = serialised_events(3000)
    produce(kafka_bootstrap, to_audit_topics(kafka, events[:1500]))
    _ingest(lake, env, log)
    shutil.copytree(lake, older)
    produce(kafka_bootstrap, to_audit_topics(kafka, events[1500:]))
    _ingest(lake, env, log)

    assert _heads_topic(kafka_bootstrap, kafka.heads_topic) == (1, "-1")
    state = snapshot(lake)
    heads = [r for _, r in read_heads(kafka_bootstrap, kafka.heads_topic) if r["phase"] == "head"]
    assert heads and all(r["lake"] == state.lake_id and r["sig"] for r in heads)
    assert max(r["seq"] for r in heads) == state.seq
    done = _verify(lake, env)
    assert done.returncode == 0 and "Kafka could not be read" not in done.stderr, done.stderr

    # the attacker restores the older copy and removes the witness file too
    witness = Witness(LakeSettings().anchor_dir, lake)
    witness.file(str(state.lake_id)).unlink()
    shutil.rmtree(lake)
    shutil.copytree(older, lake)
    done = _verify(lake, env)
    assert done.returncode == 6, done.stderr
    assert f"but entry {state.seq} was anchored" in done.stderr and kafka.heads_topic in done.stderr
    assert f"consumer group {group_id} committed" in done.stderr

    # a head of the rolled-back state, signed with a key that is not the lake's
    forger = Witness(tmp_path / "forger", lake, Ed25519PrivateKey.generate())
    forged = forger.write("head", str(state.lake_id), state.seq + 1, "0" * 64)
    produce(kafka_bootstrap, [(kafka.heads_topic, json.dumps(forged).encode())])
    done = _verify(lake, env)
    assert done.returncode == 6 and "is not signed by the verify key" in done.stderr, done.stderr


def test_a_lake_landed_without_the_worker_verifies_while_a_broker_answers(
        kafka_bootstrap: str, topic_prefix: str, group_id: str, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    land_events(lake, [example_event("change", event_id=f"c{i}") for i in range(10)])
    env = worker_env(kafka_bootstrap, topic_prefix, group_id)  # no heads topic, no group offsets
    done = _verify(lake, env)
    assert done.returncode == 0 and "Kafka could not be read" not in done.stderr, done.stderr
    assert "1 entries" in done.stderr
