"""Ingest throughput: the full worker (validate, redact, dedupe, land, commit) vs a bare
kafka-python loop that only iterates the same records, on the same topics in one run.

Run: python bench/ingest_throughput.py [--events 1000000] [--bootstrap HOST:PORT] [--prefix P]
Prints both rates, their ratio (for reference; not a target), the CPU time per event of the
worker's two processes (``getrusage``: unlike the rates, barely moved by other load on the
machine) and a cProfile of the worker on a
``--profile-events`` slice (its own topics) showing where the time goes: the poll loop (main
process) and the landing of batches (landing process) separately. The bare loop fetches with the
worker's consumer settings (``ingest.worker.consumer_config``) and is timed from its first poll to its
last record; the worker from its start (landing process, consumer, group join) to the moment its
last batch is landed and settled, less the ``--until-idle`` wait that precedes the flush of the
last partial batches (the shutdown after it is not counted, as the bare loop's consumer close is
not).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import resource
import tempfile
import time
import uuid
from pathlib import Path

from ingest_data import PARTITIONS, backlog, broker, say
from kafka import KafkaConsumer, TopicPartition

from aftershock.settings import IngestSettings, KafkaSettings, Settings
from ingest.worker import Worker, consumer_config

IDLE_S = 2.0


def bare_rate(bootstrap: str, kafka: KafkaSettings, count: int) -> float:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                             **consumer_config(IngestSettings()))
    tps = [TopicPartition(t, p) for t in kafka.audit_topics() for p in range(PARTITIONS)]
    consumer.assign(tps)
    consumer.seek_to_beginning(*tps)
    seen, began = 0, time.perf_counter()
    while seen < count:
        for records in consumer.poll(timeout_ms=500).values():
            for _record in records:
                seen += 1
    took = time.perf_counter() - began
    consumer.close()
    return seen / took


def worker_run(bootstrap: str, kafka: KafkaSettings, lake: Path,
               profile: cProfile.Profile | None = None,
               landing_profile: Path | None = None) -> tuple[float, int]:
    settings = Settings(kafka=kafka.model_copy(update={"bootstrap_servers": bootstrap}),
                        ingest=IngestSettings(group_id=f"bench-{uuid.uuid4().hex}",
                                              progress_interval_s=30))
    worker = Worker(settings, lake, bootstrap, until_idle_s=IDLE_S, landing_profile=landing_profile)
    began = time.monotonic()
    if profile:
        profile.enable()
    worker.run()
    if profile:
        profile.disable()
    landed_at = worker.totals.landed_at or time.monotonic()
    return landed_at - began - IDLE_S, worker.totals.events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--profile-events", type=int, default=100_000)
    parser.add_argument("--bootstrap", default=None)
    parser.add_argument("--prefix", default=None, help="reuse the audit topics of this prefix")
    parser.add_argument("--lake", type=Path, default=None, help="keep the worker's lake here")
    args = parser.parse_args()
    with broker(args.bootstrap) as bootstrap, tempfile.TemporaryDirectory() as tmp:
        kafka = KafkaSettings(topic_prefix=args.prefix or f"bench{uuid.uuid4().hex[:8]}.")
        held = backlog(bootstrap, kafka, args.events)
        say(f"backlog: {held:,} events on {kafka.topic_prefix}*; bare loop...")
        bare = bare_rate(bootstrap, kafka, held)
        say("full worker...")
        before = _cpu()
        took, landed = worker_run(bootstrap, kafka, args.lake or Path(tmp) / "lake")
        poll_cpu, landing_cpu = (after - then for after, then in zip(_cpu(), before, strict=True))
        full = landed / took
        print(f"events                 {landed:,} (backlog {held:,})")
        print(f"bare kafka-python loop {bare:12,.0f} events/s")
        print(f"full ingest worker     {full:12,.0f} events/s  ({took:.1f} s from its start, group join "
              "included, to its last batch landed, less the idle wait)")
        print(f"ratio worker/bare      {full / bare:12.2f}")
        print(f"worker CPU per event   poll process {poll_cpu / landed * 1e6:.1f} us, landing process "
              f"{landing_cpu / landed * 1e6:.1f} us")
        _profile(bootstrap, args.profile_events, Path(tmp) / "profiled")


def _cpu() -> tuple[float, float]:
    """CPU seconds of this process (the worker's poll loop) and of its ended children (the
    worker's landing process, once the worker has stopped it)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def _profile(bootstrap: str, count: int, lake: Path) -> None:
    kafka = KafkaSettings(topic_prefix=f"prof{uuid.uuid4().hex[:8]}.")
    backlog(bootstrap, kafka, count)
    main, landing = cProfile.Profile(), lake.with_name("landing.prof")
    took, landed = worker_run(bootstrap, kafka, lake, main, landing)
    print(f"\nprofile of the worker over {landed:,} events ({took:.1f} s under cProfile), by own time")
    _print_stats("poll loop (main process)", main)
    _print_stats("landing (landing process)", str(landing))


def _print_stats(title: str, profile: cProfile.Profile | str) -> None:
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out).sort_stats("tottime")
    stats.print_stats(14)
    print(f"\n{title}: {stats.total_tt:.1f} s")  # type: ignore[attr-defined]
    print("\n".join(line for line in out.getvalue().splitlines()[6:] if line.strip()))


if __name__ == "__main__":
    main()
