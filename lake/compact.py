"""Compaction: many small files of one (table, date) become few large ones.

For every ``event_type=<t>/date=<d>`` folder with at least ``compact_min_files`` live files, the
rows are read (older schema versions matched by name), duplicate ``(source, event_id)`` rows
dropped, written as files of at most ``compact_target_rows`` rows with ``row_group_rows`` row
groups, and committed in one ``replace`` manifest entry. The worker only ever adds files, so a
compaction never conflicts with it; two compactions racing on one group lose cleanly (the later
``replace`` is refused because its inputs are no longer live). Replaced files are deleted after
the commit (and after ``after_commit``, which brings the lake's Iceberg tables to it,
:func:`lake.iceberg.follower`): a reader opened on an older snapshot should be reopened.

One compaction runs at a time (``_manifest/compact.lock``); it first removes the files of a
compaction that was killed between publishing and committing (the worker does too when it
starts, unless a compaction is running).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import duckdb
import pyarrow as pa

from aftershock.settings import IngestSettings
from lake import crashpoints
from lake.arrow_format import empty_table
from lake.files import WrittenFile, parquet_bytes, publish
from lake.manifest import Manifest, ManifestConflict, State
from lake.reader import schema_files


@dataclass(frozen=True)
class CompactResult:
    groups: int
    files_before: int
    files_after: int
    duplicates: int


def groups_of(state: State, min_files: int) -> dict[tuple[str, str], list[str]]:
    """Live files per (table, date folder) for the groups worth compacting."""
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path, ref in state.live.items():
        groups[(ref["table"], path.rsplit("/", 1)[0])].append(path)
    return {key: sorted(paths) for key, paths in groups.items() if len(paths) >= min_files}


AfterCommit = Callable[[str], None]  # called with a group's table once its replace is committed


def compact_lake(lake: Path, settings: IngestSettings,
                 progress: Callable[[str], None] = lambda _m: None,
                 after_commit: AfterCommit = lambda _t: None) -> CompactResult:
    """Compact every group of ``lake`` worth compacting; see the module docstring."""
    manifest = Manifest(lake)
    with manifest.compacting():
        manifest.remove_compaction_leftovers(lambda msg: progress(f"compact: {msg}"))
        return _compact(manifest, settings, progress, after_commit)


def _compact(manifest: Manifest, settings: IngestSettings, progress: Callable[[str], None],
             after_commit: AfterCommit) -> CompactResult:
    state = manifest.refresh()
    return compact_groups(
        groups_of(state, settings.compact_min_files), state,
        lambda table, folder, paths: _rewrite(manifest.lake, table, folder, paths, settings),
        lambda table, paths, written: _commit(manifest, table, paths, written, after_commit),
        progress)


Rewrite = Callable[[str, str, list[str]], list[WrittenFile]]
Commit = Callable[[str, list[str], list[WrittenFile]], bool]  # table, replaced, written


def compact_groups(groups: dict[tuple[str, str], list[str]], state: State, rewrite: Rewrite,
                   commit: Commit, progress: Callable[[str], None]) -> CompactResult:
    """Rewrite and commit each group (its files live in ``state``); a group whose commit is
    refused (lost to another compaction) counts for nothing. Shared by the local and the object
    lake, which differ in how they rewrite and commit."""
    before = after = duplicates = 0
    for (table, folder), paths in sorted(groups.items()):
        written = rewrite(table, folder, paths)
        rows_in = sum(int(state.live[p]["rows"]) for p in paths)
        crashpoints.reach("compact_after_publish")
        if commit(table, paths, written):
            before, after = before + len(paths), after + len(written)
            duplicates += rows_in - sum(f.rows for f in written)
            progress(f"compact: {folder}: {len(paths)} files -> {len(written)}")
    return CompactResult(len(groups), before, after, duplicates)


def _rewrite(lake: Path, table: str, folder: str, paths: list[str],
             settings: IngestSettings) -> list[WrittenFile]:
    query = "compact_dead_letters.sql" if table == "dead_letter" else "compact_events.sql"
    files = [schema_files()[table], *(str(lake / p) for p in paths)]
    con = duckdb.connect()
    try:
        reader = con.sql(resources.files("lake.sql").joinpath(query).read_text(),
                         params={"files": files}).to_arrow_reader(settings.row_group_rows)
        stem = f"compacted+{uuid.uuid4().hex[:12]}"
        parts = split_parts(reader, table, settings.compact_target_rows)
        written = [publish(lake, f"{folder}/{stem}+{i}.parquet",
                           parquet_bytes(part, settings.row_group_rows, for_reading=True), part.num_rows,
                           table)
                   for i, part in enumerate(parts)]
    finally:
        con.close()
    return written


def split_parts(reader: pa.RecordBatchReader, table: str, target_rows: int) -> Iterator[pa.Table]:
    """Tables of at most ``target_rows`` rows, cast to the current lake schema."""
    schema, pending, rows = empty_table(table).schema, [], 0
    for chunk in reader:
        pending.append(chunk)
        rows += chunk.num_rows
        if rows >= target_rows:
            yield pa.Table.from_batches(pending).cast(schema)
            pending, rows = [], 0
    if pending:
        yield pa.Table.from_batches(pending).cast(schema)


def _commit(manifest: Manifest, table: str, removed: list[str], written: list[WrittenFile],
            after_commit: AfterCommit) -> bool:
    try:
        with manifest.locked():
            manifest.append_replace(removed, written)
    except ManifestConflict:
        for ref in written:
            (manifest.lake / ref.path).unlink(missing_ok=True)
        return False
    after_commit(table)
    for path in removed:
        (manifest.lake / path).unlink(missing_ok=True)
    return True
