"""Handlers of ``ingest run|backfill``, ``compact`` and ``verify``."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from aftershock.errors import ExitCode
from aftershock.settings import Settings


def _lake(args: argparse.Namespace, settings: Settings) -> Path:
    return Path(args.lake) if args.lake is not None else settings.lake.dir


def run(args: argparse.Namespace, settings: Settings) -> int:
    from aftershock.broker.resolve import bootstrap_servers
    from ingest.worker import Worker

    lake = _lake(args, settings)
    lake.mkdir(parents=True, exist_ok=True)
    return Worker(settings, lake, bootstrap_servers(settings), args.until_idle).run()


def backfill(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.backfill import backfill_files

    started = time.monotonic()

    def progress(events: int, dead: int) -> None:
        rate = events / max(time.monotonic() - started, 1e-9)
        print(f"\rbackfill: {events:,} events, {dead:,} dead letters ({rate:,.0f}/s)", end="",
              file=sys.stderr, flush=True)

    result = backfill_files(_lake(args, settings), args.paths, settings.ingest, progress)
    progress(result.events + result.duplicates, result.dead)
    print(f"\nbackfill: landed {result.events:,} events ({result.duplicates:,} in-batch duplicates "
          f"dropped), {result.dead:,} dead letters, {result.files} files", file=sys.stderr)
    return ExitCode.REJECTED if result.dead else ExitCode.OK


def compact(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.compact import compact_lake

    result = compact_lake(_lake(args, settings), settings.ingest,
                          lambda msg: print(msg, file=sys.stderr, flush=True))
    print(f"compact: {result.files_before} files -> {result.files_after} in {result.groups} "
          f"groups, {result.duplicates} duplicate rows dropped", file=sys.stderr)
    return ExitCode.OK


def verify(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.verify import verify_lake

    report = verify_lake(_lake(args, settings))
    for finding in report.findings:
        print(finding, file=sys.stderr)
    print(f"verify: {report.entries} entries, {report.files} files checked, "
          f"{len(report.findings)} findings", file=sys.stderr)
    return ExitCode.INTEGRITY if report.findings else ExitCode.OK
