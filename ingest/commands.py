"""Handlers of ``ingest run|backfill`` and of ``verify`` (which reads Kafka, so it lives here and
not in ``lake/``)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from aftershock.errors import BrokerError, ExitCode
from aftershock.settings import Settings
from lake.location import resolve_location

if TYPE_CHECKING:
    from lake.verify import Remote, Report


def run(args: argparse.Namespace, settings: Settings) -> int:
    from aftershock.broker.resolve import bootstrap_servers
    from ingest.worker import Worker

    lake = resolve_location(args.lake, settings, create=True)
    after_commit = None
    if args.iceberg_sync:
        from lake.iceberg import keeper

        after_commit = keeper(lake, settings.lake,
                              lambda line: print(f"aftershock ingest: {line}", file=sys.stderr,
                                                 flush=True))
    return Worker(settings, lake, bootstrap_servers(settings), args.until_idle,
                  after_commit=after_commit).run()


def backfill(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.backfill import backfill_files

    started = time.monotonic()

    def progress(events: int, dead: int) -> None:
        rate = events / max(time.monotonic() - started, 1e-9)
        print(f"\rbackfill: {events:,} events, {dead:,} dead letters ({rate:,.0f}/s)", end="",
              file=sys.stderr, flush=True)

    lake = resolve_location(args.lake, settings, create=True)
    result = backfill_files(lake, args.paths, settings.ingest, progress)
    progress(result.events + result.duplicates, result.dead)
    print(f"\nbackfill: landed {result.events:,} events ({result.duplicates:,} in-batch duplicates "
          f"dropped), {result.dead:,} dead letters, {result.files} files", file=sys.stderr)
    return ExitCode.REJECTED if result.dead else ExitCode.OK


def verify(args: argparse.Namespace, settings: Settings) -> int:
    lake = resolve_location(args.lake, settings)
    remote, why = _remote(settings)
    report = verify_at(lake, settings, remote)
    for finding in report.findings:
        print(finding, file=sys.stderr)
    for note in ([why] if why else []) + report.notes:
        print(f"note: {note}", file=sys.stderr)
    print(f"verify: {report.entries} entries, {report.files} files checked, "
          f"{len(report.findings)} findings", file=sys.stderr)
    return ExitCode.INTEGRITY if report.findings else ExitCode.OK


def verify_at(lake: Path | str, settings: Settings, remote: Remote | None) -> Report:
    """``verify`` of a local lake or of one on object storage (with its object witness)."""
    if isinstance(lake, Path):
        from lake.verify import verify_lake

        return verify_lake(lake, settings.lake, remote)
    from lake.object_verify import verify_object_lake
    from lake.object_witness import ObjectWitness
    from lake.storage import open_store

    store = open_store(lake, settings.lake)
    witness = ObjectWitness.from_settings(settings.lake, store.url)
    return verify_object_lake(store, settings.lake, witness, remote)


def _remote(settings: Settings) -> tuple[Remote | None, str]:
    """The heads topic and the consumer group's offsets, or None and why not."""
    from kafka.errors import KafkaError

    from aftershock.broker.resolve import bootstrap_servers
    from ingest.heads import committed_offsets, read_heads
    from lake.verify import Remote

    try:
        bootstrap = bootstrap_servers(settings)
        kafka, group = settings.kafka, settings.ingest.group_id
        return Remote(read_heads(bootstrap, kafka.heads_topic, kafka), group,
                      committed_offsets(bootstrap, group, kafka.audit_topics(), kafka)), ""
    except (BrokerError, KafkaError) as exc:
        return None, (f"Kafka could not be read ({type(exc).__name__}: {exc}): the heads topic "
                      "and the consumer group's offsets were not checked")
