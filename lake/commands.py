"""Handlers of ``compact``, ``lake keygen``, ``lake adopt`` and ``lake iceberg``
(``verify``'s is in ``ingest.commands``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from aftershock.errors import ExitCode
from aftershock.settings import Settings
from lake.location import resolve_lake, resolve_location


def compact(args: argparse.Namespace, settings: Settings) -> int:
    from lake.compact import compact_lake

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    lake = resolve_location(args.lake, settings)
    after_commit = iceberg_follower(lake, settings, say)
    if isinstance(lake, Path):
        result = compact_lake(lake, settings.ingest, say, after_commit)
    else:
        from datetime import timedelta

        from lake.object_compact import compact_object_lake
        from lake.object_manifest import ObjectManifest
        from lake.object_witness import ObjectWitness
        from lake.storage import open_store

        store = open_store(lake, settings.lake)
        manifest = ObjectManifest(store, ObjectWitness.from_settings(settings.lake, store.url),
                                  timedelta(seconds=settings.lake.replaced_grace_s))
        manifest.sweep_orphans(say)
        result = compact_object_lake(manifest, settings.ingest, say, after_commit)
    print(f"compact: {result.files_before} files -> {result.files_after} in {result.groups} "
          f"groups, {result.duplicates} duplicate rows dropped", file=sys.stderr)
    return ExitCode.OK


def iceberg_follower(lake: Path | str, settings: Settings,
                     say: Callable[[str], None]) -> Callable[[str], None]:
    """Keep the lake's Iceberg tables in step with a compaction, if it has any."""
    from lake.iceberg_catalog import has_tables

    if not has_tables(lake, settings.lake):
        return lambda _table: None  # pyiceberg is not even imported
    from lake.iceberg import follower

    return follower(lake, settings.lake, say) or (lambda _table: None)


def keygen(args: argparse.Namespace, settings: Settings) -> int:
    from lake.keys import generate
    from lake.witness import outside

    lake = args.lake if args.lake is not None else settings.lake.dir
    folder = (args.folder.expanduser().resolve() if isinstance(lake, str)  # s3://: not a folder here
              else outside(Path(lake), args.folder, "key folder"))
    private, public = generate(folder)
    print(f"wrote {private} (private: keep it outside the lake, readable by the writers only) "
          f"and {private.with_suffix('.pub')}")
    print(f"AFTERSHOCK_LAKE__SIGNING_KEY={private}")
    print(f"AFTERSHOCK_LAKE__VERIFY_KEY={public}")
    return ExitCode.OK


def adopt(args: argparse.Namespace, settings: Settings) -> int:
    from lake.adopt import adopt_lake

    lake = resolve_lake(args.lake, settings, create=False)
    done = adopt_lake(lake, settings.lake)
    signed = "signed" if settings.lake.signing_key is not None else "unsigned (no signing key set)"
    print(f"adopted {lake}: entry {done.seq} ({done.files} files checked) anchored, {signed}, in "
          f"{done.witness_file}; verify now checks every later entry against it")
    return ExitCode.OK


def iceberg_sync(args: argparse.Namespace, settings: Settings) -> int:
    from lake.iceberg import lake_files, sync
    from lake.iceberg_catalog import target_of

    lake = resolve_location(args.lake, settings)
    files = lake_files(lake, settings.lake)
    target = target_of(lake, settings.lake, args.catalog, args.namespace)
    done = sync(files, target, lambda line: print(line, file=sys.stderr, flush=True))
    changed = sum(1 for table in done if table.changed)
    what = f"{changed} tables committed" if changed else "nothing to do, every table up to date"
    print(f"iceberg sync: {what} at manifest entry {files.state.seq} "
          f"({files.state.head[:12]}), catalog {target.catalog}", file=sys.stderr)
    return ExitCode.OK


def iceberg_show(args: argparse.Namespace, settings: Settings) -> int:
    from lake.iceberg import lake_files, query_rows, show
    from lake.iceberg_catalog import target_of

    lake = resolve_location(args.lake, settings)
    files = lake_files(lake, settings.lake)
    target = target_of(lake, settings.lake, args.catalog, args.namespace)
    tables = show(files, target)
    queried = query_rows(lake, settings.lake)
    print(f"lake at manifest entry {files.state.seq} ({files.state.head[:12]}); catalog "
          f"{target.catalog}, namespace {target.namespace}")
    for t in tables:
        synced = f"entry {t.seq} ({(t.head or '')[:12]})" if t.seq else "never synced"
        state = "in sync" if t.in_sync else "OUT OF SYNC: run `aftershock lake iceberg sync`"
        print(f"  {t.table:<14} iceberg {synced}: {t.rows} rows in {t.files} files | lake: "
              f"{t.lake_rows} rows in {t.lake_files} files, {queried[t.table]} as queried | {state}")
    return ExitCode.OK
