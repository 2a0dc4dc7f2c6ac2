"""Handlers of ``ingest run|backfill``."""

from __future__ import annotations

import argparse
import sys
import time

from aftershock.errors import ExitCode
from aftershock.settings import Settings
from lake.location import resolve_lake


def run(args: argparse.Namespace, settings: Settings) -> int:
    from aftershock.broker.resolve import bootstrap_servers
    from ingest.worker import Worker

    lake = resolve_lake(args.lake, settings, create=True)
    return Worker(settings, lake, bootstrap_servers(settings), args.until_idle).run()


def backfill(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.backfill import backfill_files

    started = time.monotonic()

    def progress(events: int, dead: int) -> None:
        rate = events / max(time.monotonic() - started, 1e-9)
        print(f"\rbackfill: {events:,} events, {dead:,} dead letters ({rate:,.0f}/s)", end="",
              file=sys.stderr, flush=True)

    lake = resolve_lake(args.lake, settings, create=True)
    result = backfill_files(lake, args.paths, settings.ingest, progress)
    progress(result.events + result.duplicates, result.dead)
    print(f"\nbackfill: landed {result.events:,} events ({result.duplicates:,} in-batch duplicates "
          f"dropped), {result.dead:,} dead letters, {result.files} files", file=sys.stderr)
    return ExitCode.REJECTED if result.dead else ExitCode.OK
