"""``aftershock demo``: the main job end to end on a real broker.

1. start (or reuse) the broker; 2. round trip: one event of every type sent to the audit topics
and read back from the partition and offset the broker acknowledged; 3. simulate an organisation's
history into Kafka; 4. ingest it into a fresh Parquet lake; 5. verify the lake's manifest;
6. the leadership report and the postmortem of the worst incident. Steps 3-6 run the same
``aftershock`` commands a user would, printed before each runs, on topics and a consumer group
of their own (prefix ``demo-<run>.``) so runs never mix.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aftershock.errors import AftershockError, BrokerError, ExitCode

if TYPE_CHECKING:
    from aftershock.kafka_client import ClientConfig

WORST_INCIDENT = (
    "SELECT incident_id FROM incident WHERE incident_id IS NOT NULL "
    "ORDER BY severity, occurred_at LIMIT 1"
)


def register(sub: Any) -> None:
    demo = sub.add_parser(
        "demo",
        help="run the pipeline end to end on a real broker and print the evidence",
        description="Start or reuse a broker; send one audit event of every type and read each "
        "back by partition and offset; simulate --days of history into Kafka; ingest it into a "
        "new lake under --out; verify the lake; print the report and one postmortem.",
    )
    demo.add_argument("--days", type=int, default=14, help="days of history to simulate (14)")
    demo.add_argument("--seed", type=int, default=1, help="simulator seed (1)")
    demo.add_argument("--out", type=Path, default=None,
                      help="folder for the lake and truth file (default out/demo-<time>)")
    demo.add_argument("--round-trip-only", action="store_true",
                      help="stop after the broker round trip")
    demo.set_defaults(handler="aftershock.commands.demo:run")


def run(args: argparse.Namespace, settings: Any) -> int:
    from aftershock.broker.resolve import bootstrap_servers

    bootstrap = bootstrap_servers(settings, start_local=True)
    print(f"[1/6] broker: {bootstrap}", flush=True)
    if not round_trip(bootstrap, settings):
        return ExitCode.BROKER
    if args.round_trip_only:
        return ExitCode.OK
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    out = args.out or Path("out") / f"demo-{stamp}"
    out.mkdir(parents=True, exist_ok=True)
    env = _pipeline_env(bootstrap, f"demo-{stamp}-{uuid.uuid4().hex[:6]}")
    lake = str(out / "lake")
    _step(3, ["simulate", "--days", str(args.days), "--seed", str(args.seed), "--kafka",
              "--truth", str(out / "truth.json")], env)
    _step(4, ["ingest", "run", "--lake", lake, "--until-idle", "5"], env)
    _step(5, ["verify", "--lake", lake], env)
    _step(6, ["report", "--lake", lake], env)
    worst = _capture(["query", WORST_INCIDENT, "--lake", lake, "--format", "csv"], env)
    if worst:
        _step(6, ["postmortem", worst, "--lake", lake], env)
    print(f"lake: {lake}   truth: {out / 'truth.json'}")
    print(f"dashboard: .venv/bin/aftershock dashboard --lake {lake}   (then open http://127.0.0.1:8501/)")
    return ExitCode.OK


def round_trip(bootstrap: str, settings: Any) -> bool:
    from aftershock.settings import EVENT_TYPES
    from schemas.examples import example_event

    events = [example_event(t, event_id=str(uuid.uuid4())) for t in EVENT_TYPES]
    from aftershock.kafka_client import client_config

    config = client_config(settings.kafka, bootstrap)
    sent = _send(config, [(settings.kafka.topic_for(e.event_type), e) for e in events])
    back = _read_back(config, [(topic, part, off) for topic, part, off, _ in sent])
    ok = 0
    for topic, part, off, event in sent:
        got = back.get((topic, part, off))
        same = got is not None and json.loads(got)["event_id"] == event.event_id
        ok += same
        print(f"  {'ok ' if same else 'BAD'} {event.event_type:<14} {topic}[{part}]@{off} "
              f"{event.event_id}")
    print(f"[2/6] round trip: {len(sent)} sent, {ok} read back identical", flush=True)
    if ok != len(sent):
        print("aftershock: some events did not come back as sent", file=sys.stderr)
    return ok == len(sent)


def _pipeline_env(bootstrap: str, run_id: str) -> dict[str, str]:
    return {**os.environ, "AFTERSHOCK_KAFKA__BOOTSTRAP_SERVERS": bootstrap,
            "AFTERSHOCK_KAFKA__TOPIC_PREFIX": f"{run_id}.",
            "AFTERSHOCK_INGEST__GROUP_ID": run_id}


def _step(number: int, command: list[str], env: dict[str, str]) -> None:
    print(f"[{number}/6] $ aftershock {' '.join(command)}", flush=True)
    done = subprocess.run([sys.executable, "-m", "aftershock", *command], env=env, check=False)
    if done.returncode != 0:
        raise AftershockError(f"demo step `aftershock {command[0]}` failed with exit "
                              f"{done.returncode} (its error is printed above)")


def _capture(command: list[str], env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-m", "aftershock", *command], env=env, check=False,
                          capture_output=True, text=True)
    lines = done.stdout.strip().splitlines()
    return lines[1] if done.returncode == 0 and len(lines) > 1 else ""


def _send(config: ClientConfig, items: list[tuple[str, Any]]) -> list[tuple[str, int, int, Any]]:
    from kafka import KafkaProducer

    from aftershock.kafka_client import connect

    producer = connect(KafkaProducer, config, acks="all", client_id="aftershock-demo")
    try:
        futures = [
            (topic, event, producer.send(topic, key=event.event_id.encode(),
                                         value=event.model_dump_json().encode()))
            for topic, event in items
        ]
        producer.flush(timeout=30)
        sent = []
        for topic, event, future in futures:
            meta = future.get(timeout=30)
            sent.append((topic, meta.partition, meta.offset, event))
        return sent
    finally:
        producer.close()


def _read_back(config: ClientConfig, where: list[tuple[str, int, int]]) -> dict[tuple[str, int, int], bytes]:
    from kafka import KafkaConsumer, TopicPartition

    from aftershock.kafka_client import connect

    consumer = connect(KafkaConsumer, config, enable_auto_commit=False,
                             consumer_timeout_ms=10_000, client_id="aftershock-demo")
    try:
        consumer.assign(list({TopicPartition(t, p) for t, p, _ in where}))
        for topic, part, off in where:
            consumer.seek(TopicPartition(topic, part), off)
        wanted = set(where)
        found: dict[tuple[str, int, int], bytes] = {}
        for record in consumer:
            if (record.topic, record.partition, record.offset) in wanted:
                found[(record.topic, record.partition, record.offset)] = record.value
            if len(found) == len(wanted):
                break
        if not found:
            raise BrokerError(f"nothing could be read back from {config['bootstrap_servers']}")
        return found
    finally:
        consumer.close()
