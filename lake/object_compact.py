"""Compaction of a lake on object storage: the rewrite of :mod:`lake.compact`, committed through
the object manifest.

Groups, SQL and output encoding are those of a local compaction. There is no compaction lock:
two compactions racing on one group lose cleanly (the later ``replace`` is refused, its inputs
are no longer live, and its objects are deleted); a compaction killed before its commit leaves
``compacted+<id>+<n>.parquet`` objects no entry names, which the orphan sweep removes after the
grace period (:meth:`lake.object_manifest.ObjectManifest.sweep_orphans`). Replaced objects are
not deleted at the commit (``after_commit`` brings the lake's Iceberg tables to it, dropping them
from the tables): a reader on another host that opened an older snapshot still reads them, until
the sweep deletes them once the ``replace`` committed more than the replaced grace period ago.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from importlib import resources

from aftershock.settings import IngestSettings
from lake.compact import AfterCommit, CompactResult, compact_groups, groups_of, split_parts
from lake.files import WrittenFile, parquet_bytes
from lake.manifest import ManifestConflict
from lake.object_manifest import ObjectManifest
from lake.object_reader import s3_filesystem
from lake.reader import connect, schema_files
from lake.storage import S3Store, Store


def compact_object_lake(manifest: ObjectManifest, settings: IngestSettings,
                        progress: Callable[[str], None] = lambda _m: None,
                        after_commit: AfterCommit = lambda _t: None) -> CompactResult:
    """Compact every group of the lake of ``manifest`` worth compacting."""
    state = manifest.refresh()
    return compact_groups(
        groups_of(state, settings.compact_min_files), state,
        lambda table, folder, paths: _rewrite(manifest.store, table, folder, paths, settings),
        lambda table, paths, written: _commit(manifest, table, paths, written, after_commit),
        progress)


def _rewrite(store: Store, table: str, folder: str, paths: list[str],
             settings: IngestSettings) -> list[WrittenFile]:
    query = "compact_dead_letters.sql" if table == "dead_letter" else "compact_events.sql"
    files = [schema_files()[table], *(store.uri(p) for p in paths)]
    con = connect()
    try:
        if isinstance(store, S3Store):
            con.register_filesystem(s3_filesystem(store))
        reader = con.sql(resources.files("lake.sql").joinpath(query).read_text(),
                         params={"files": files}).to_arrow_reader(settings.row_group_rows)
        stem = f"compacted+{uuid.uuid4().hex[:12]}"
        written = []
        for i, part in enumerate(split_parts(reader, table, settings.compact_target_rows)):
            data = parquet_bytes(part, settings.row_group_rows, for_reading=True)
            key = f"{folder}/{stem}+{i}.parquet"
            store.put(key, data)
            written.append(WrittenFile(key, hashlib.sha256(data).hexdigest(), len(data),
                                       part.num_rows, table))
    finally:
        con.close()
    return written


def _commit(manifest: ObjectManifest, table: str, removed: list[str], written: list[WrittenFile],
            after_commit: AfterCommit) -> bool:
    try:
        manifest.append_replace(removed, written)
    except ManifestConflict:
        for ref in written:
            manifest.store.delete(ref.path)
        return False
    after_commit(table)
    return True
