"""`aftershock lake iceberg sync` on the demo lake: the first sync, a sync with nothing to do,
an incremental sync after one more landed batch, and a compaction that keeps the tables in step,
each beside a baseline run in the same script: opening the lake's views and counting every
table's rows (what `aftershock query` must at least do: read the manifest and every footer).

Run: python bench/iceberg_sync.py [--days 14] [--seed 1] [--batch 2000]
No broker needed: the lake is simulated with `aftershock simulate --lake` (the demo's history:
14 days, seed 1), then read back through pyiceberg and compared with the query views.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from aftershock.settings import EVENT_TYPES, IngestSettings, LakeSettings
from ingest.backfill import land_events
from lake.compact import compact_lake
from lake.iceberg import follower, lake_files, query_rows, sync
from lake.iceberg_catalog import default_catalog, target_of
from lake.manifest import snapshot
from lake.reader import TABLES
from schemas.examples import example_event


def timed(what: Callable[[], object]) -> float:
    began = time.perf_counter()
    what()
    return time.perf_counter() - began


def iceberg_rows(lake: Path) -> dict[str, int]:
    from pyiceberg.catalog import load_catalog

    catalog = load_catalog("aftershock", type="sql", uri=default_catalog(lake))
    return {name: catalog.load_table(("aftershock", name)).scan().to_arrow().num_rows
            for name in TABLES}


def last_event(lake: Path) -> datetime:
    from lake.reader import open_lake

    con = open_lake(lake, tables=["change"])
    try:
        row = con.execute("SELECT max(occurred_at) FROM change").fetchone()
    finally:
        con.close()
    if row is None or not isinstance(row[0], datetime):
        raise SystemExit("the simulated lake has no changes")
    return row[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=2000, help="events of the incremental batch")
    args = parser.parse_args()
    settings = LakeSettings()
    with tempfile.TemporaryDirectory() as tmp:
        lake, plain = Path(tmp) / "lake", Path(tmp) / "plain"  # plain: the same lake, no tables
        for folder in (lake, plain):
            subprocess.run([sys.executable, "-m", "aftershock", "simulate", "--days",
                            str(args.days), "--seed", str(args.seed), "--lake", str(folder)],
                           check=True, env=dict(os.environ), capture_output=True)
        state = snapshot(lake)
        target = target_of(lake, settings)

        def run_sync() -> None:
            sync(lake_files(lake, settings), target, lambda _line: None)

        baseline = timed(lambda: query_rows(lake, settings))
        first = timed(run_sync)
        noop = timed(run_sync)
        end = last_event(lake)  # the batch spreads over the lake's days: compaction has work
        events = [example_event(EVENT_TYPES[i % len(EVENT_TYPES)], event_id=f"bench-{i}",
                                occurred_at=(end - timedelta(days=i % args.days, minutes=i))
                                .isoformat())
                  for i in range(args.batch)]
        land_events(lake, events)
        land_events(plain, events)
        incremental = timed(run_sync)
        compaction_alone = timed(lambda: compact_lake(plain, IngestSettings(), lambda _m: None))
        landed = snapshot(lake)
        read_back, queried = iceberg_rows(lake), query_rows(lake, settings)
        follow = follower(lake, settings, lambda _line: None)
        compaction = timed(lambda: compact_lake(lake, IngestSettings(), lambda _m: None,
                                                follow or (lambda _t: None)))
        compacted = snapshot(lake)
        read_after, queried_after = iceberg_rows(lake), query_rows(lake, settings)
    raw = sum(int(ref["rows"]) for ref in state.live.values())
    print(f"demo lake                          {args.days} days, seed {args.seed}: "
          f"{len(state.live)} files, {raw:,} rows, {state.seq} manifest entries")
    print(f"baseline: open views + count(*)    {baseline:8.2f} s")
    print(f"first sync (every table)           {first:8.2f} s   ({first / baseline:.1f}x baseline)")
    print(f"sync with nothing to do            {noop:8.2f} s   ({noop / baseline:.1f}x baseline)")
    print(f"incremental sync (+{args.batch:,} events)    {incremental:8.2f} s   "
          f"({incremental / baseline:.1f}x baseline; {len(landed.live) - len(state.live)} new files)")
    print(f"compaction without tables          {compaction_alone:8.2f} s   (baseline of the row below)")
    print(f"compaction, tables following       {compaction:8.2f} s   ({compaction / compaction_alone:.1f}x; "
          f"{len(landed.live)} -> {len(compacted.live)} files)")
    raw_landed = sum(int(ref["rows"]) for ref in landed.live.values())
    print(f"rows before compaction             iceberg {sum(read_back.values()):,}, files "
          f"{raw_landed:,}, query {sum(queried.values()):,} (one per source and event id)")
    print(f"rows after compaction              iceberg {sum(read_after.values()):,}, query "
          f"{sum(queried_after.values()):,}")


if __name__ == "__main__":
    main()
