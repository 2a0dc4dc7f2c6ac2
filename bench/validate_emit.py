"""Validation rate and emitter SDK throughput against a bare kafka-python send, in one run.

Run: python bench/validate_emit.py [--events N] [--rounds R]
Uses KAFKA_BOOTSTRAP_SERVERS when set, else starts its own local broker in a temporary folder.

1. validate: envelope + discriminated payload from JSON bytes (``schemas.event.parse_event``).
2. bare:     KafkaProducer.send of pre-serialised bytes (same producer settings as the SDK:
             acks=all, idempotence, linger 20 ms, 128 KiB batches), then flush.
3. sdk:      Emitter.emit of event models (redact, serialise, key, headers, send), then flush.
Bare and sdk run back to back in each round (the machine's load varies); the median ratio is
the result.
Prints events/s of each and sdk/bare (target >= 0.70).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from kafka import KafkaProducer

from aftershock.sdk.emitter import Emitter, to_record
from aftershock.settings import EVENT_TYPES, BrokerSettings, KafkaSettings
from schemas.event import Event, parse_event
from schemas.examples import example_event

# the same producer settings on both sides, so the ratio measures only the SDK's own work
PRODUCER = {"acks": "all", "enable_idempotence": True, "linger_ms": 20, "batch_size": 128 * 1024}


@contextmanager
def broker() -> Iterator[str]:
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        yield os.environ["KAFKA_BOOTSTRAP_SERVERS"]
        return
    from aftershock.broker.local import LocalBroker

    with tempfile.TemporaryDirectory() as state:
        local = LocalBroker(BrokerSettings(state_dir=Path(state)))
        bootstrap = local.start()[0].bootstrap
        try:
            yield bootstrap
        finally:
            local.stop()


def make_events(count: int) -> list[Event]:
    return [example_event(EVENT_TYPES[i % len(EVENT_TYPES)], event_id=f"bench-{i}", redactions=[])
            for i in range(count)]


def rate(label: str, count: int, work: Callable[[], None]) -> float:
    began = time.perf_counter()
    work()
    per_s = count / (time.perf_counter() - began)
    print(f"{label:<10} {count:>8} events  {per_s:>10,.0f} events/s")
    return per_s


def bench_validate(events: list[Event]) -> float:
    blobs = [e.model_dump_json().encode() for e in events]
    return rate("validate", len(blobs), lambda: [parse_event(b) for b in blobs] and None)


def bench_bare(bootstrap: str, events: list[Event], kafka: KafkaSettings) -> float:
    records = [to_record(e, kafka.topic_for) for e in events]
    producer = KafkaProducer(bootstrap_servers=bootstrap, **PRODUCER)
    producer.send(records[0].topic, b"warm-up").get(timeout=60)

    def send_all() -> None:
        for r in records:
            producer.send(r.topic, key=r.key, value=r.value)
        producer.flush()

    try:
        return rate("bare", len(records), send_all)
    finally:
        producer.close()


def bench_sdk(bootstrap: str, events: list[Event], kafka: KafkaSettings, spool: Path) -> float:
    emitter = Emitter(bootstrap, spool, kafka.topic_for, producer_config=PRODUCER)
    emitter.emit(events[0])
    emitter.flush()

    def emit_all() -> None:
        for e in events:
            emitter.emit(e)
        emitter.flush()

    try:
        return rate("sdk", len(events), emit_all)
    finally:
        emitter.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=30_000)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved bare/sdk rounds; best of each")
    args = parser.parse_args()
    events = make_events(args.events)
    bench_validate(events)
    ratios = []
    with broker() as bootstrap, tempfile.TemporaryDirectory() as spool:
        print(f"broker     {bootstrap}")
        kafka = KafkaSettings(topic_prefix=f"bench{uuid.uuid4().hex[:8]}.")
        for _ in range(args.rounds):
            bare = bench_bare(bootstrap, events, kafka)
            ratios.append(bench_sdk(bootstrap, events, kafka, Path(spool)) / bare)
    shown = ", ".join(f"{r:.2f}" for r in ratios)
    print(f"sdk/bare per round: {shown}; median {statistics.median(ratios):.2f}  (target >= 0.70)")


if __name__ == "__main__":
    main()
