"""Land one batch of one partition: Parquet files per (table, date), then one manifest entry.

The Kafka worker and ``land_events`` (backfill, ``import --lake``) both go through
:meth:`LakeWriter.commit`, so the two paths cannot drift apart. Events land in the ``date=`` folder of
their own ``occurred_at`` (late and out-of-order events included); dead letters in the folder of
the day they were ingested. Within a batch, a repeated ``(source, event_id)`` is kept once;
across batches the reader's views dedupe.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from aftershock.settings import IngestSettings
from lake import crashpoints
from lake.arrow_format import DeadLetter, Lineage, dead_letters_to_table, events_to_table
from lake.files import (
    WrittenFile,
    batch_name,
    parquet_bytes,
    partition_dir,
    publish,
)
from lake.manifest import Manifest, ManifestConflict, Partition
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
    alive at a time; a repeated ``(source, event_id)`` within the batch is kept once (the copy
    with the lowest offset, whatever its event type)."""

    def __init__(self, topic: str, partition: int, now: datetime) -> None:
        self.topic, self.partition, self.now = topic, partition, now
        self.parts: dict[tuple[str, str], list[pa.Table]] = defaultdict(list)
        self.dead: list[DeadLetter] = []
        self.seen = pa.array([], pa.string())
        self.events = self.duplicates = 0

    def add(self, events: Sequence[Event], offsets: Sequence[int]) -> None:
        """Validated events (and their offsets)."""
        self.add_tables(self.tables_of(events, offsets))

    def tables_of(self, events: Sequence[Event], offsets: Sequence[int]) -> dict[str, pa.Table]:
        """The lake tables (lineage included) of ``events``, one per event type."""
        by_type: dict[str, tuple[list[Event], list[int]]] = defaultdict(lambda: ([], []))
        for event, offset in zip(events, offsets, strict=True):
            rows = by_type[event.event_type]
            rows[0].append(event)
            rows[1].append(offset)
        return {t: events_to_table(t, rows, self.lineage(row_offsets))
                for t, (rows, row_offsets) in by_type.items()}

    def lineage(self, offsets: Sequence[int] | np.ndarray) -> Lineage:
        return Lineage(self.topic, np.full(len(offsets), self.partition, np.int32), offsets, self.now)

    def add_tables(self, tables: dict[str, pa.Table]) -> None:
        """Lake tables with lineage (offsets unique within the batch), one per event type."""
        tables = {t: table for t, table in tables.items() if table.num_rows}
        if not tables:
            return
        kept = self._first_unseen(tables)
        for event_type, table in tables.items():
            rows = table if kept is None else table.filter(pc.is_in(table["_offset"], value_set=kept))
            if not _ascending(rows["_offset"]):
                rows = rows.sort_by("_offset")
            self.events += rows.num_rows
            self.duplicates += table.num_rows - rows.num_rows
            for day, part in _by_day(rows):
                self.parts[(event_type, day)].append(part)

    def _first_unseen(self, tables: dict[str, pa.Table]) -> pa.Array | None:
        """The offsets of the rows whose key is new to the batch (the first of each key); None
        when that is every row (no key repeats, none seen before: the usual case)."""
        keys = pa.chunked_array([dedupe_keys(t) for t in tables.values()], pa.string())
        if pc.count_distinct(keys).as_py() == len(keys) and not pc.any(
                pc.is_in(keys, value_set=self.seen)).as_py():
            self.seen = pa.concat_arrays([self.seen, keys.combine_chunks()])
            return None
        offsets = pa.chunked_array([t["_offset"].combine_chunks() for t in tables.values()], pa.int64())
        rows = pa.table({"key": keys, "offset": offsets})
        rows = rows.filter(pc.invert(pc.is_in(rows["key"], value_set=self.seen)))
        first = rows.group_by("key", use_threads=False).aggregate([("offset", "min")])
        self.seen = pa.concat_arrays([self.seen, first["key"].combine_chunks()])
        return first["offset_min"].combine_chunks()

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


class LakeWriter:
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
        """Delete the uncommitted files of ``partitions`` (see :meth:`Manifest.remove_orphans`)."""
        return self.manifest.remove_orphans(partitions)


def _by_day(rows: pa.Table) -> Iterator[tuple[str, pa.Table]]:
    """``rows`` split by the day they occurred on (ISO date), each part in ``rows``' order: one
    stable sort and slices of it (no copy at all when every row is of one day)."""
    days = pc.cast(rows["occurred_at"], pa.date32()).combine_chunks()
    order = pc.sort_indices(days)  # stable: offsets stay ascending within a day
    day_numbers = days.take(order).view(pa.int32()).to_numpy()  # days since the epoch
    starts = np.flatnonzero(np.r_[True, day_numbers[1:] != day_numbers[:-1]])
    ordered = rows if len(starts) == 1 else rows.take(order)
    for start, end in zip(starts, [*starts[1:], len(day_numbers)], strict=True):
        yield str(np.datetime64(int(day_numbers[start]), "D")), ordered.slice(start, end - start)


def _ascending(offsets: pa.ChunkedArray) -> bool:
    values = offsets.to_numpy()
    return bool((values[1:] > values[:-1]).all())


def dedupe_keys(table: pa.Table) -> pa.Array:
    """One string per row that differs exactly when ``(source, event_id)`` does."""
    source = table["source"].combine_chunks()
    length = pc.cast(pc.utf8_length(source), pa.string())
    return pc.binary_join_element_wise(length, source, table["event_id"].combine_chunks(), ":")
