"""Validation rate and emitter SDK throughput against a bare kafka-python send, in one run.

Run: python bench/validate_emit.py [--events N] [--rounds R] [--linger-ms MS] [--batch-size BYTES]
                                   [--inline] [--pin-cpu CPU]
Uses KAFKA_BOOTSTRAP_SERVERS when set, else starts its own local broker in a temporary folder.

1. validate: envelope + discriminated payload from JSON bytes (``schemas.event.parse_event``).
2. bare:     KafkaProducer.send of the SDK's records pre-built (topic, key, value bytes and the
             partition the SDK picks, no headers), then flush: the least work any producer of
             these events can do (an explicit partition spares kafka-python's partitioner).
3. bare+hdr: the same with the SDK's three headers (content type, event type, schema version; one
             list per event type, as the SDK passes them).
4. bare-kp:  bare, but kafka-python's default partitioner picks the (same) partition from the key:
             a plain send of pre-serialised bytes, the baseline of the earlier figures.
5. sdk:      Emitter.emit of event models (serialise, pre-check for secrets and redact, key,
             partition, headers, KafkaProducer.send), then flush; the SDK's key-hash cache starts
             empty on every run.
6. inline:   (``--inline``) the SDK's per-event steps written out in one loop, without keeping
             records for the spool: the least an emitter with the SDK's other guarantees does.
The events are the documented examples, each lifecycle key (incident, deployment, change, session,
gate subject) shared by LIFECYCLE events of its type.

Every producer has exactly the Emitter's settings (``producer_settings``: acks=all, idempotence,
batching) and fetches the metadata of every audit topic before the clock starts. The runs of a
round go in a rotating order (the machine's load varies); each round prints events/s and this
process's CPU time per event (all threads: other processes' load does not inflate it). The result
is the median over the rounds of sdk/bare in events/s, with sdk/bare+hdr and sdk/bare-kp and the
same ratios in events per CPU-second beside it. Figures so far: bench/RESULTS.md.

On a small virtual machine a producer's two threads (the caller and kafka-python's sender) that wake
each other across CPUs cost much kernel time, more or less from run to run; ``--pin-cpu 0`` keeps
them on one CPU (the broker on the others), which gives steadier and faster figures for every run.
"""

from __future__ import annotations

import argparse
import functools
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

from aftershock.sdk.emitter import Emitter, producer_settings
from aftershock.sdk.records import event_key, key_hash, record_headers, to_record
from aftershock.sdk.spool import SpooledRecord
from aftershock.settings import EVENT_TYPES, BrokerSettings, KafkaSettings
from schemas.common import SCHEMA_VERSION
from schemas.event import Event, parse_event
from schemas.examples import example_event
from schemas.redaction import redacted_json


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


BARE_MODES = ("bare", "bare+hdr", "bare-kp")
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


class Prepared(NamedTuple):
    """One record as the bare producer sends it: everything computed before the clock starts."""

    topic: str
    value: bytes
    key: bytes | None
    headers: list[tuple[str, bytes]]
    partition: int


def prepare(records: list[SpooledRecord], partitions: dict[str, int]) -> list[Prepared]:
    """The records with the partition the SDK picks and one shared header list per event type."""
    header_lists: dict[tuple[tuple[str, bytes], ...], list[tuple[str, bytes]]] = {}
    return [Prepared(r.topic, r.value, r.key, header_lists.setdefault(r.headers, list(r.headers)),
                     key_hash(r.key or b"") % partitions[r.topic]) for r in records]


def warmed_producer(config: dict[str, Any], topics: set[str]) -> KafkaProducer:
    """A producer that has the metadata of every topic (creating the topics on the first call)."""
    producer = KafkaProducer(**config)
    for topic in topics:
        producer.send(topic, b"warm-up").get(timeout=60)
    return producer


def prepared_records(config: dict[str, Any], records: list[SpooledRecord]) -> list[Prepared]:
    """``records`` ready for the bare runs, partitioned by the topics' partition counts."""
    topics = {r.topic for r in records}
    producer = warmed_producer(config, topics)
    try:
        return prepare(records, {topic: len(producer.partitions_for(topic)) for topic in topics})
    finally:
        producer.close()


def bench_bare(config: dict[str, Any], prepared: list[Prepared], mode: str) -> Run:
    """``mode``: "bare", "bare+hdr" (with the headers) or "bare-kp" (kafka-python partitions)."""
    producer = warmed_producer(config, {r.topic for r in prepared})
    send = producer.send

    def send_all() -> None:
        if mode == "bare":
            for topic, value, key, _, partition in prepared:
                send(topic, value, key, None, partition)
        elif mode == "bare+hdr":
            for topic, value, key, headers, partition in prepared:
                send(topic, value, key, headers, partition)
        else:
            for topic, value, key, _, _ in prepared:
                send(topic, value, key)
        producer.flush()

    try:
        return timed(len(prepared), send_all)
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


def bench_inline(config: dict[str, Any], events: list[Event], kafka: KafkaSettings) -> Run:
    """The SDK's per-event steps written out in one loop, without keeping records for the spool.

    Serialise and pre-check (``redacted_json``), key, partition from the cold key-hash cache, the
    three headers, ``KafkaProducer.send``: the least an emitter that keeps the SDK's other
    guarantees does per event.
    """
    topics = {t: kafka.topic_for(t) for t in EVENT_TYPES}
    producer = warmed_producer(config, set(topics.values()))
    routes = {t: (topic, list(record_headers(t, SCHEMA_VERSION)), len(producer.partitions_for(topic)))
              for t, topic in topics.items()}
    send = producer.send
    key_hash.cache_clear()

    def send_all() -> None:
        for event in events:
            clean, value = redacted_json(event)
            topic, headers, partitions = routes[clean.event_type]
            key = event_key(clean).encode()
            send(topic, value, key, headers, key_hash(key) % partitions)
        producer.flush()

    try:
        return timed(len(events), send_all)
    finally:
        producer.close()


def one_round(index: int, runs: dict[str, Callable[[], Run]]) -> dict[str, Run]:
    names = list(runs)
    order = names[index % len(names):] + names[:index % len(names)]
    done = {name: runs[name]() for name in order}
    shown = "  ".join(f"{name} {done[name].per_s:>7,.0f}/s {done[name].cpu_us:>5.1f}us" for name in names)
    print(f"round {index + 1:<3} {shown}  sdk/bare {done['sdk'].per_s / done['bare'].per_s:.2f}", flush=True)
    return done


def report(label: str, ratios: list[float]) -> None:
    shown = ", ".join(f"{r:.2f}" for r in ratios)
    print(f"{label:<31} per round: {shown}; median {statistics.median(ratios):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000, help="events per run (default 50000)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the four runs")
    parser.add_argument("--linger-ms", type=int, help="override the Emitter's linger_ms on every side")
    parser.add_argument("--batch-size", type=int, help="override the Emitter's batch_size on every side")
    parser.add_argument("--inline", action="store_true",
                        help="also time the SDK's per-event steps inline, without its spool bookkeeping")
    parser.add_argument("--pin-cpu", type=int, metavar="CPU",
                        help="run the producers on this CPU and the broker this script starts on the others")
    args = parser.parse_args()
    overrides = {k: v for k, v in (("linger_ms", args.linger_ms), ("batch_size", args.batch_size))
                 if v is not None}
    events = make_events(args.events)
    bench_validate(events)
    if args.pin_cpu is not None:  # the broker started next inherits the other CPUs
        os.sched_setaffinity(0, os.sched_getaffinity(0) - {args.pin_cpu})
    with broker() as bootstrap:
        if args.pin_cpu is not None:  # and the producers' threads, created later, inherit this one
            os.sched_setaffinity(0, {args.pin_cpu})
        kafka = KafkaSettings(topic_prefix=f"bench{uuid.uuid4().hex[:8]}.")
        config = producer_settings(bootstrap, overrides=overrides)
        print(f"broker     {bootstrap}  producer {config}", flush=True)
        records = prepared_records(config, [to_record(e, kafka.topic_for) for e in events])
        gc.collect()
        gc.freeze()  # the prepared inputs: a service does not hold 50 000 events for its collector to scan
        runs: dict[str, Callable[[], Run]] = {
            mode: functools.partial(bench_bare, config, records, mode) for mode in BARE_MODES}
        runs["sdk"] = lambda: bench_sdk(bootstrap, events, kafka, overrides)
        if args.inline:
            runs["inline"] = lambda: bench_inline(config, events, kafka)
        rounds = [one_round(i, runs) for i in range(args.rounds)]
    for name in ("sdk", "inline") if args.inline else ("sdk",):
        for base in BARE_MODES:
            report(f"{name}/{base} (events/s)", [r[name].per_s / r[base].per_s for r in rounds])
        for base in BARE_MODES:
            report(f"{name}/{base} (events/CPU-s)", [r[base].cpu_us / r[name].cpu_us for r in rounds])


if __name__ == "__main__":
    main()
