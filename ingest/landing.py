"""Land one batch of one partition: Parquet files per (table, date), then one manifest entry.

The Kafka worker and ``land_events`` (backfill, ``import --lake``) both go through
:meth:`Lander.commit`, so the two paths cannot drift apart. Events land in the ``date=`` folder of
their own ``occurred_at`` (late and out-of-order events included); dead letters in the folder of
the day they were ingested. Within a batch, a repeated ``(source, event_id)`` is kept once;
across batches the reader's views dedupe.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from aftershock.settings import IngestSettings
from ingest import crashpoints
from ingest.arrow_format import DeadLetter, Lineage, dead_letters_to_table, events_to_table
from ingest.files import (
    STAGING,
    WrittenFile,
    batch_name,
    parquet_bytes,
    partition_dir,
    partition_prefix,
    publish,
)
from ingest.manifest import Manifest, ManifestConflict, Partition, State
from schemas.event import Event


@dataclass
class Batch:
    """Validated events and dead letters of one partition, offsets ``[start, next_offset)``."""

    topic: str
    partition: int
    start: int
    next_offset: int = -1
    events: list[Event] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)
    dead: list[DeadLetter] = field(default_factory=list)


@dataclass(frozen=True)
class Landed:
    entry: dict[str, Any]
    events: int
    duplicates: int
    dead: int


class Accumulator:
    """The Arrow tables of one batch, fed chunk by chunk so only a chunk of pydantic events is
    alive at a time; a repeated ``(source, event_id)`` within the batch is kept once."""

    def __init__(self, topic: str, partition: int, now: datetime) -> None:
        self.topic, self.partition, self.now = topic, partition, now
        self.parts: dict[tuple[str, str], list[pa.Table]] = defaultdict(list)
        self.dead: list[DeadLetter] = []
        self.seen: set[tuple[str, str]] = set()
        self.events = self.duplicates = 0

    def add(self, events: Sequence[Event], offsets: Sequence[int]) -> None:
        kept, kept_offsets = dedupe(events, offsets, self.seen)
        self.events += len(kept)
        self.duplicates += len(events) - len(kept)
        for (table, day), (rows, row_offsets) in group_by_day(kept, kept_offsets).items():
            lineage = Lineage(self.topic, [self.partition] * len(rows), row_offsets, self.now)
            self.parts[(table, day)].append(events_to_table(table, rows, lineage))

    def rebase(self, delta: int) -> None:
        """Shift the ``_offset`` of every accumulated event row by ``delta``."""
        if delta == 0:
            return
        for parts in self.parts.values():
            for i, table in enumerate(parts):
                column = table.schema.get_field_index("_offset")
                parts[i] = table.set_column(column, "_offset", pc.add(table["_offset"], delta))

    def add_dead(self, letters: Sequence[DeadLetter]) -> None:
        self.dead.extend(letters)

    def tables(self) -> Iterator[tuple[str, str, pa.Table]]:
        """(table, day, Arrow table) per file to write; dead letters in the day of ingestion."""
        for (table, day), parts in self.parts.items():
            yield table, day, pa.concat_tables(parts)
        if self.dead:
            yield "dead_letter", self.now.date().isoformat(), dead_letters_to_table(self.dead, self.now)


class Lander:
    """Writes batches into one lake."""

    def __init__(self, lake: Path, settings: IngestSettings) -> None:
        self.lake = lake
        self.settings = settings
        self.manifest = Manifest(lake)

    def land(self, batch: Batch) -> Landed:
        """Land a batch of validated events (see :meth:`commit`)."""
        acc = Accumulator(batch.topic, batch.partition, datetime.now(UTC))
        acc.add(batch.events, batch.offsets)
        acc.add_dead(batch.dead)
        return self.commit(acc, batch.start, batch.next_offset)

    def commit(self, acc: Accumulator, start: int, next_offset: int) -> Landed:
        """Publish the accumulated files and commit them in one manifest entry; raises
        ManifestConflict (after deleting them) if another writer owns the range."""
        name = batch_name(acc.topic, acc.partition, start, next_offset - 1)
        files: list[WrittenFile] = []
        try:
            for table, day, data in acc.tables():
                content = parquet_bytes(data, self.settings.row_group_rows)
                files.append(publish(self.lake, f"{partition_dir(table, day)}/{name}", content,
                                     data.num_rows, table))
            crashpoints.reach("after_publish")
            with self.manifest.locked():
                entry = self.manifest.append_add((acc.topic, acc.partition), start, next_offset, files)
        except ManifestConflict:
            self._discard(files)
            raise
        return Landed(entry, acc.events, acc.duplicates, len(acc.dead))

    def _discard(self, files: Iterable[WrittenFile]) -> None:
        for ref in files:
            (self.lake / ref.path).unlink(missing_ok=True)

    def remove_orphans(self, partitions: Iterable[Partition]) -> int:
        """Delete published-but-uncommitted and staged files of ``partitions`` (call when they
        are assigned to this writer). Runs under the manifest lock, so a writer that lost the
        partition cannot commit a file this removes. Returns how many files were removed."""
        prefixes = tuple(partition_prefix(t, p) for t, p in partitions)
        if not prefixes:
            return 0
        with self.manifest.locked() as state:
            return _remove_orphans(self.lake, state, prefixes)


def _remove_orphans(lake: Path, state: State, prefixes: tuple[str, ...]) -> int:
    removed = 0
    for root, _dirs, names in os.walk(lake):
        rel_root = os.path.relpath(root, lake)
        for name in names:
            bare = name.split("-", 1)[-1] if rel_root == STAGING else name
            rel = name if rel_root == "." else f"{rel_root}/{name}"
            if bare.startswith(prefixes) and (rel_root == STAGING or rel not in state.live):
                os.unlink(os.path.join(root, name))
                removed += 1
    return removed


def dedupe(events: Sequence[Event], offsets: Sequence[int], seen: set[tuple[str, str]]
           ) -> tuple[list[Event], list[int]]:
    """The events (and offsets) whose ``(source, event_id)`` is not in ``seen`` yet; adds them."""
    kept, kept_offsets = [], []
    for event, offset in zip(events, offsets, strict=True):
        key = (event.source, event.event_id)
        if key not in seen:
            seen.add(key)
            kept.append(event)
            kept_offsets.append(offset)
    return kept, kept_offsets


def group_by_day(events: Sequence[Event], offsets: Sequence[int]
                 ) -> dict[tuple[str, str], tuple[list[Event], list[int]]]:
    """Events grouped by (event_type, UTC date of occurred_at), in offset order."""
    groups: dict[tuple[str, str], tuple[list[Event], list[int]]] = defaultdict(lambda: ([], []))
    for event, offset in zip(events, offsets, strict=True):
        rows = groups[(event.event_type, event.occurred_at.date().isoformat())]
        rows[0].append(event)
        rows[1].append(offset)
    return dict(groups)
