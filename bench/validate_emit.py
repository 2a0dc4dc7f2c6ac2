"""Validation rate and emitter SDK throughput against a bare kafka-python send, in one run.

Run: python bench/validate_emit.py [--events N] [--rounds R] [--linger-ms MS] [--batch-size BYTES]
Uses KAFKA_BOOTSTRAP_SERVERS when set, else starts its own local broker in a temporary folder.

1. validate: envelope + discriminated payload from JSON bytes (``schemas.event.parse_event``).
2. bare:     KafkaProducer.send of the SDK's records pre-built (topic, key, value bytes, no
             headers), then flush: the least work any producer of these events can do.
3. bare+hdr: the same with the SDK's three headers (content type, event type, schema version).
4. sdk:      Emitter.emit of event models (serialise, pre-check for secrets and redact, key,
             headers, send), then flush; the SDK's key-hash cache starts empty on every run.
The events are the documented examples, each lifecycle key (incident, deployment, change, session,
gate subject) shared by LIFECYCLE events of its type.

Every producer has exactly the Emitter's settings (``producer_settings``: acks=all, idempotence,
batching) and fetches the metadata of every audit topic before the clock starts. The three runs
of a round go in a rotating order (the machine's load varies); each round prints events/s and
this process's CPU time per event (all threads: other processes' load does not inflate it). The
result is the median over the rounds of sdk/bare in events/s (target >= 0.70), with sdk/bare+hdr
and the same two ratios in events per CPU-second beside it.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from kafka import KafkaProducer

from aftershock.sdk.emitter import Emitter, key_hash, producer_settings, to_record
from aftershock.sdk.spool import SpooledRecord
from aftershock.settings import EVENT_TYPES, BrokerSettings, KafkaSettings
from schemas.event import Event, parse_event
from schemas.examples import example_event


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


LIFECYCLE = 5  # events per incident, deployment, change, session or gate subject (one partition key)
_KEY_FIELDS = {"incident": "incident_id", "deployment": "deployment_id", "change": "change_id",
               "agent_action": "session_id"}


def make_events(count: int) -> list[Event]:
    """``count`` events, the types interleaved; each key recurs on LIFECYCLE events of its type."""
    gate = example_event("gate_decision").payload.model_dump()
    events = []
    for i in range(count):
        event_type = EVENT_TYPES[i % len(EVENT_TYPES)]
        lifecycle = f"{event_type}-{i // (len(EVENT_TYPES) * LIFECYCLE)}"
        own = ({"payload": gate | {"subject_id": lifecycle}} if event_type == "gate_decision"
               else {_KEY_FIELDS[event_type]: lifecycle})
        events.append(example_event(event_type, event_id=f"bench-{i}", redactions=[], **own))
    return events


class Run(NamedTuple):
    per_s: float  # events per wall-clock second
    cpu_us: float  # this process's CPU time (every thread) per event, in microseconds


def timed(count: int, work: Callable[[], None]) -> Run:
    gc.collect()  # every run starts from the same collector state
    began, cpu = time.perf_counter(), time.process_time()
    work()
    return Run(count / (time.perf_counter() - began), (time.process_time() - cpu) / count * 1e6)


def bench_validate(events: list[Event]) -> None:
    blobs = [e.model_dump_json().encode() for e in events]
    per_s = timed(len(blobs), lambda: [parse_event(b) for b in blobs] and None).per_s
    print(f"validate   {len(blobs):>8} events  {per_s:>10,.0f} events/s", flush=True)


def bench_bare(config: dict[str, Any], records: list[SpooledRecord], headers: bool) -> Run:
    producer = KafkaProducer(**config)
    for topic in {r.topic for r in records}:  # metadata of every topic before the clock starts
        producer.send(topic, b"warm-up").get(timeout=60)

    def send_all() -> None:
        for r in records:
            producer.send(r.topic, key=r.key, value=r.value, headers=list(r.headers) if headers else None)
        producer.flush()

    try:
        return timed(len(records), send_all)
    finally:
        producer.close()


def bench_sdk(bootstrap: str, events: list[Event], kafka: KafkaSettings, overrides: dict[str, Any]) -> Run:
    with tempfile.TemporaryDirectory() as spool:
        emitter = Emitter(bootstrap, Path(spool), kafka.topic_for, producer_config=overrides)
        for event_type in EVENT_TYPES:  # metadata of every topic before the clock starts
            emitter.emit(example_event(event_type, event_id=f"warm-up-{event_type}"))
        emitter.flush()
        key_hash.cache_clear()  # each lifecycle key is new to this run, as in the first round

        def emit_all() -> None:
            for e in events:
                emitter.emit(e)
            emitter.flush()

        try:
            return timed(len(events), emit_all)
        finally:
            emitter.close()
            if emitter.spooled:
                sys.exit(f"sdk: {emitter.spooled} events were spooled: the broker did not keep up")


def one_round(index: int, runs: dict[str, Callable[[], Run]]) -> dict[str, Run]:
    names = list(runs)
    order = names[index % len(names):] + names[:index % len(names)]
    done = {name: runs[name]() for name in order}
    shown = "  ".join(f"{name} {done[name].per_s:>7,.0f}/s {done[name].cpu_us:>5.1f}us" for name in names)
    print(f"round {index + 1:<3} {shown}  sdk/bare {done['sdk'].per_s / done['bare'].per_s:.2f}", flush=True)
    return done


def report(label: str, ratios: list[float]) -> None:
    shown = ", ".join(f"{r:.2f}" for r in ratios)
    print(f"{label:<28} per round: {shown}; median {statistics.median(ratios):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000, help="events per run (default 50000)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of bare, bare+hdr and sdk runs")
    parser.add_argument("--linger-ms", type=int, help="override the Emitter's linger_ms on every side")
    parser.add_argument("--batch-size", type=int, help="override the Emitter's batch_size on every side")
    args = parser.parse_args()
    overrides = {k: v for k, v in (("linger_ms", args.linger_ms), ("batch_size", args.batch_size))
                 if v is not None}
    events = make_events(args.events)
    bench_validate(events)
    with broker() as bootstrap:
        kafka = KafkaSettings(topic_prefix=f"bench{uuid.uuid4().hex[:8]}.")
        config = producer_settings(bootstrap, overrides=overrides)
        print(f"broker     {bootstrap}  producer {config}", flush=True)
        records = [to_record(e, kafka.topic_for) for e in events]
        gc.collect()
        gc.freeze()  # the prepared inputs: a service does not hold 50 000 events for its collector to scan
        runs = {"bare": lambda: bench_bare(config, records, headers=False),
                "bare+hdr": lambda: bench_bare(config, records, headers=True),
                "sdk": lambda: bench_sdk(bootstrap, events, kafka, overrides)}
        rounds = [one_round(i, runs) for i in range(args.rounds)]
    for base in ("bare", "bare+hdr"):
        report(f"sdk/{base} (events/s)", [r["sdk"].per_s / r[base].per_s for r in rounds])
    for base in ("bare", "bare+hdr"):
        report(f"sdk/{base} (events/CPU-s)", [r[base].cpu_us / r["sdk"].cpu_us for r in rounds])
    print("target: sdk/bare (events/s) median >= 0.70")


if __name__ == "__main__":
    main()
