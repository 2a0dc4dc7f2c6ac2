"""Query readiness: files per 1M events and a full scan of one event type, before vs after
``compact``, on a lake landed in worker-sized batches.

Run: python bench/compaction.py [--events 1000000] [--batch 20000]
No broker needed: the lake is landed with ``land_events`` in ``--batch``-sized chunks (what the
worker's per-partition batches produce), then compacted.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from ingest_data import raw_events, say

from aftershock.settings import IngestSettings
from ingest.backfill import land_events
from lake.compact import compact_lake
from lake.manifest import snapshot
from lake.reader import open_lake
from schemas.event import Event, parse_event

SCAN = ("SELECT count(*), count(DISTINCT event_id), max(occurred_at), sum(lines_added), "
        "sum(len(files)) FROM change")


def events(count: int) -> Iterator[Event]:
    for _event_type, raw in raw_events(count):
        yield parse_event(raw)


def scan_seconds(lake: Path, runs: int = 3) -> tuple[float, tuple[object, ...]]:
    best, row = float("inf"), ()
    for _ in range(runs):
        began = time.perf_counter()
        con = open_lake(lake)
        row = con.execute(SCAN).fetchone() or ()
        best = min(best, time.perf_counter() - began)
        con.close()
    return best, row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        lake = Path(tmp) / "lake"
        say(f"landing {args.events:,} events in batches of {args.batch:,}...")
        land_events(lake, events(args.events), chunk=args.batch)
        files_before = len(snapshot(lake).live)
        before, row_before = scan_seconds(lake)
        say("compacting...")
        began = time.perf_counter()
        compact_lake(lake, IngestSettings(), say)
        took = time.perf_counter() - began
        files_after = len(snapshot(lake).live)
        after, row_after = scan_seconds(lake)
    per_million = 1_000_000 / args.events
    print(f"events                          {args.events:,}")
    print(f"files per 1M events  before     {files_before * per_million:10,.0f}")
    print(f"files per 1M events  after      {files_after * per_million:10,.0f}")
    print(f"full scan of `change` before    {before:10.3f} s")
    print(f"full scan of `change` after     {after:10.3f} s   (ratio before/after {before / after:.1f}x)")
    print(f"compaction took                 {took:10.1f} s")
    print(f"same answer before and after    {row_before == row_after}")


if __name__ == "__main__":
    main()
