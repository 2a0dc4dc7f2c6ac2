"""Handlers of ``compact``, ``lake keygen`` and ``lake adopt`` (``verify``'s is in ``ingest.commands``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from aftershock.errors import ExitCode
from aftershock.settings import Settings
from lake.location import resolve_lake, resolve_location


def compact(args: argparse.Namespace, settings: Settings) -> int:
    from lake.compact import compact_lake

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    lake = resolve_location(args.lake, settings)
    if isinstance(lake, Path):
        result = compact_lake(lake, settings.ingest, say)
    else:
        from lake.object_compact import compact_object_lake
        from lake.object_manifest import ObjectManifest
        from lake.object_witness import ObjectWitness
        from lake.storage import open_store

        store = open_store(lake, settings.lake)
        manifest = ObjectManifest(store, ObjectWitness.from_settings(settings.lake, store.url))
        manifest.sweep_orphans(say)
        result = compact_object_lake(manifest, settings.ingest, say)
    print(f"compact: {result.files_before} files -> {result.files_after} in {result.groups} "
          f"groups, {result.duplicates} duplicate rows dropped", file=sys.stderr)
    return ExitCode.OK


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
