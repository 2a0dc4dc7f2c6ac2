"""The lake as Apache Iceberg tables, so Spark, Trino, Athena, Snowflake or DuckDB read it too.

:func:`sync` makes one table per lake table (the event types and ``dead_letter``) in a catalog
(:mod:`lake.iceberg_catalog`) and registers the Parquet files live in the manifest as its data
files, where they are: nothing is copied or rewritten. Each table gets at most one commit per
sync: files the manifest lists and the table lacks are added, files it has and the manifest no
longer lists (replaced by a compaction) are removed, in one snapshot whose summary carries the
manifest's ``aftershock.manifest.seq``, ``aftershock.manifest.head`` and ``aftershock.lake.id``.
A table whose files already match is left alone, so a second sync commits nothing.

The schema is the lake's Arrow schema (all columns optional); files are matched to it by
column name (the table's name mapping), since lake files carry no Iceberg field ids. A lake
schema with new columns adds them to the table (older files read them as NULL, as the lake's
own views do). The tables hold every row of the live files: the lake's query views also keep one
row per ``(source, event_id)``, so a duplicate delivery not yet compacted away is one row more
in the Iceberg table (:func:`show` says how many).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from aftershock.errors import LakeError
from aftershock.settings import LakeSettings
from lake.iceberg_catalog import Target, catalog_errors, has_tables, open_catalog, target_of
from lake.manifest import State, snapshot
from lake.reader import TABLES
from lake.storage import is_remote, open_store

if TYPE_CHECKING:
    import pyarrow as pa
    from pyiceberg.catalog import Catalog
    from pyiceberg.manifest import DataFile
    from pyiceberg.table import Table, Transaction

ATTEMPTS = 10  # commits of one table lost in a row to other syncs before a sync gives up
SEQ, HEAD, LAKE_ID = "aftershock.manifest.seq", "aftershock.manifest.head", "aftershock.lake.id"


@dataclass(frozen=True)
class LakeFiles:
    """One manifest snapshot of a lake and the URI of each of its files."""

    state: State
    uri: Callable[[str], str]

    def live(self, table: str) -> dict[str, int]:
        """URI -> rows of the live files of ``table``."""
        return {self.uri(p): int(self.state.live[p]["rows"]) for p in self.state.files_of(table)}


@dataclass(frozen=True)
class Synced:
    """What one table's sync did."""

    table: str
    added: int
    removed: int
    files: int
    rows: int

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


def lake_files(location: Path | str, settings: LakeSettings) -> LakeFiles:
    """The committed state of the lake at ``location`` now (it must exist)."""
    if is_remote(location):
        from lake.object_manifest import ObjectManifest

        store = open_store(location, settings)
        files = LakeFiles(ObjectManifest(store).refresh(), store.uri)
    else:
        folder = Path(location).resolve()
        files = LakeFiles(snapshot(folder), lambda rel: f"file://{folder / rel}")
    if files.state.seq == 0:
        raise LakeError(f"lake {location} has no committed entries: land events first")
    return files


def sync(files: LakeFiles, target: Target, say: Callable[[str], None]) -> list[Synced]:
    """Bring every table of ``target`` to the snapshot ``files`` (see the module docstring)."""
    catalog = open_catalog(target)
    done = []
    for name in TABLES:
        with catalog_errors(target):
            result = sync_retrying(catalog, target, name, files)
        what = f"+{result.added} -{result.removed} files" if result.changed else "unchanged"
        say(f"iceberg: {target.namespace}.{name}: {what}, {result.files} files, {result.rows} rows")
        done.append(result)
    return done


def follower(location: Path | str, settings: LakeSettings,
             say: Callable[[str], None]) -> Callable[[str], None] | None:
    """What a compaction calls once a group's ``replace`` is committed, before it deletes the
    replaced files: sync that group's table, so the Iceberg tables never name a deleted file.
    None when the lake has no Iceberg tables (no catalog configured, no default catalog made by a
    sync). A catalog that fails is reported and the compaction goes on: the next sync catches
    up."""
    if not has_tables(location, settings):
        return None
    target = target_of(location, settings)
    try:
        catalog = open_catalog(target)
    except LakeError as exc:
        say(f"iceberg: tables not kept in step with this compaction ({exc}); run `aftershock "
            "lake iceberg sync` after it")
        return None

    def follow(table: str) -> None:
        try:
            with catalog_errors(target):
                if catalog.table_exists((target.namespace, table)):
                    done = sync_retrying(catalog, target, table, lake_files(location, settings))
                    say(f"iceberg: {target.namespace}.{table}: +{done.added} -{done.removed} files")
        except LakeError as exc:
            say(f"iceberg: {target.namespace}.{table} not synced ({exc}); run `aftershock lake "
                "iceberg sync`")
    return follow


def keeper(location: Path | str, settings: LakeSettings,
           say: Callable[[str], None]) -> Callable[[], None]:
    """What ``ingest run --iceberg-sync`` calls after each settled commit: a sync of every table,
    one line when something was committed. A failure (catalog unreachable) is reported and ingest
    goes on; the next commit's sync catches up."""
    target = target_of(location, settings)

    def sync_now() -> None:
        try:
            files = lake_files(location, settings)
            done = sync(files, target, lambda _line: None)
        except LakeError as exc:
            say(f"iceberg: not synced ({exc}); the next commit's sync catches up")
            return
        changed = [t for t in done if t.changed]
        if changed:
            say(f"iceberg: {', '.join(f'{t.table} +{t.added} -{t.removed}' for t in changed)} "
                f"at manifest entry {files.state.seq}")
    return sync_now


def sync_retrying(catalog: Catalog, target: Target, name: str, files: LakeFiles,
                  attempts: int = ATTEMPTS) -> Synced:
    """:func:`sync_table`, worked out again from the table's new snapshot when another sync
    committed the table first (two syncs at once: a compaction's and a worker's), or created it
    between this sync's look and its create."""
    from pyiceberg.exceptions import CommitFailedException, TableAlreadyExistsError

    lost = 0
    while True:
        try:
            return sync_table(catalog, target, name, files)
        except (CommitFailedException, TableAlreadyExistsError):
            lost += 1
            if lost >= attempts:
                raise
            time.sleep(random.uniform(0.01, 0.1 * lost))  # noqa: S311 - spreading retries


def sync_table(catalog: Catalog, target: Target, name: str, files: LakeFiles) -> Synced:
    """One table's commit: add the live files it lacks, drop those no longer live."""
    from pyiceberg.io.pyarrow import parquet_file_to_data_file

    quiet_missing_statistics()
    table = catalog.create_table_if_not_exists(
        (target.namespace, name), schema=lake_schema(name), location=target.location(name),
        properties=table_properties())
    check_lake(table, files.state)
    live = files.live(name)
    have = registered(table)
    add = sorted(set(live) - set(have))
    drop = [have[uri] for uri in sorted(set(have) - set(live))]
    if add or drop:
        with table.transaction() as txn:
            with txn.update_schema() as update:
                update.union_by_name(lake_schema(name))
            ensure_properties(txn)
            properties = {SEQ: str(files.state.seq), HEAD: files.state.head,
                          LAKE_ID: files.state.lake_id or ""}
            snapshot_update = txn.update_snapshot(snapshot_properties=properties)
            producer = snapshot_update.overwrite() if drop else snapshot_update.merge_append()
            with producer as change:
                for old in drop:
                    change.delete_data_file(old)
                for uri in add:
                    change.append_data_file(parquet_file_to_data_file(table.io, txn.table_metadata, uri))
    return Synced(name, len(add), len(drop), len(live), sum(live.values()))


class _MissingStatistics(logging.Filter):
    """Batch files carry column statistics only for the columns queries filter on (the writer's
    speed, :func:`lake.files.parquet_bytes`): the other columns have no bounds, as intended."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("PyArrow statistics missing")


def quiet_missing_statistics() -> None:
    """Drop pyiceberg's warning per column without statistics (one per column and file)."""
    log = logging.getLogger("pyiceberg.io.pyarrow")
    if not any(isinstance(f, _MissingStatistics) for f in log.filters):
        log.addFilter(_MissingStatistics())


def lake_schema(name: str) -> pa.Schema:
    """The lake's Arrow schema of ``name`` with every column optional."""
    import pyarrow as pa

    from lake.arrow_format import empty_table

    schema = empty_table(name).schema
    return pa.schema([field.with_nullable(True) for field in schema])


def registered(table: Table) -> dict[str, DataFile]:
    """URI -> data file of every file in the table's current snapshot."""
    if table.current_snapshot() is None:
        return {}
    return {task.file.file_path: task.file for task in table.scan().plan_files()}


def table_properties() -> dict[str, str]:
    """Manifest merging on (a sync that only adds files appends one manifest, merged with the
    small ones once there are 100, so frequent syncs do not make scans read ever more
    manifests), and no retry of a lost commit inside pyiceberg: it would add the same files again
    on top of the winner's snapshot; :func:`sync` works out the difference again instead."""
    from pyiceberg.table import TableProperties

    return {TableProperties.MANIFEST_MERGE_ENABLED: "true", TableProperties.COMMIT_NUM_RETRIES: "0"}


def ensure_properties(txn: Transaction) -> None:
    """Set, when missing, :func:`table_properties` and the table's name mapping (lake files are
    matched to columns by name)."""
    from pyiceberg.table import TableProperties

    wanted = table_properties()
    if txn.table_metadata.name_mapping() is None:
        wanted[TableProperties.DEFAULT_NAME_MAPPING] = (
            txn.table_metadata.schema().name_mapping.model_dump_json())
    missing = {k: v for k, v in wanted.items() if txn.table_metadata.properties.get(k) != v}
    if missing:
        txn.set_properties(missing)


def check_lake(table: Table, state: State) -> None:
    """Refuse to sync a lake into a table that holds another lake."""
    current = table.current_snapshot()
    held = current.summary.get(LAKE_ID) if current is not None and current.summary else None
    if held and state.lake_id and held != state.lake_id:
        raise LakeError(f"Iceberg table {'.'.join(table.name())} holds lake {held[:12]}, not this "
                        f"lake ({state.lake_id[:12]}): pass another --namespace or --catalog")


@dataclass(frozen=True)
class Shown:
    """A table's snapshot beside the lake (:func:`show`)."""

    table: str
    seq: str | None
    head: str | None
    files: int
    rows: int
    lake_files: int
    lake_rows: int
    in_sync: bool


def show(files: LakeFiles, target: Target) -> list[Shown]:
    """Each table's snapshot (manifest seq and head, files, rows) beside the lake's live files."""
    catalog = open_catalog(target)
    found = []
    for name in TABLES:
        with catalog_errors(target):
            if not catalog.table_exists((target.namespace, name)):
                table = None
            else:
                table = catalog.load_table((target.namespace, name))
            found.append(shown_table(name, table, files))
    return found


def shown_table(name: str, table: Table | None, files: LakeFiles) -> Shown:
    live = files.live(name)
    current = table.current_snapshot() if table is not None else None
    summary = current.summary if current is not None and current.summary else {}
    have = registered(table) if table is not None else {}
    return Shown(name, summary.get(SEQ), summary.get(HEAD), len(have),
                 int(summary.get("total-records") or 0), len(live), sum(live.values()),
                 table is not None and set(have) == set(live))


def query_rows(location: Path | str, settings: LakeSettings) -> dict[str, int]:
    """Rows of each lake table as ``aftershock query`` sees them (one per ``(source, event_id)``)."""
    if is_remote(location):
        from lake.object_reader import open_object_lake

        con = open_object_lake(open_store(location, settings))
    else:
        from lake.reader import open_lake

        con = open_lake(Path(location))
    try:
        query = resources.files("lake.sql").joinpath("count_rows.sql").read_text()
        counts = {name: con.execute(query.format(view=name)).fetchone() for name in TABLES}
        return {name: int(row[0]) if row else 0 for name, row in counts.items()}
    finally:
        con.close()
