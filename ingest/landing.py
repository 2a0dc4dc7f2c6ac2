"""Land one batch of one partition: Parquet files per (table, date), then one manifest entry.

The Kafka worker and ``land_events`` (backfill, ``import --lake``) both go through
:meth:`Lander.land`, so the two paths cannot drift apart. Events land in the ``date=`` folder of
their own ``occurred_at`` (late and out-of-order events included); dead letters in the folder of
the day they were ingested. Within a batch, a repeated ``(source, event_id)`` is kept once;
across batches the reader's views dedupe.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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
    """Records of one partition from ``start`` (inclusive) to ``next_offset`` (exclusive)."""

    topic: str
    partition: int
    start: int
    next_offset: int = -1
    events: list[Event] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)
    dead: list[DeadLetter] = field(default_factory=list)
    value_bytes: int = 0
    opened_at: float = 0.0

    @property
    def size(self) -> int:
        return len(self.events) + len(self.dead)


@dataclass(frozen=True)
class Landed:
    entry: dict[str, Any]
    events: int
    duplicates: int
    dead: int


class Lander:
    """Writes batches into one lake."""

    def __init__(self, lake: Path, settings: IngestSettings) -> None:
        self.lake = lake
        self.settings = settings
        self.manifest = Manifest(lake)

    def land(self, batch: Batch) -> Landed:
        """Publish the batch's files and commit them; raises ManifestConflict if another won."""
        now = datetime.now(UTC)
        events, offsets, duplicates = dedupe(batch.events, batch.offsets)
        files: list[WrittenFile] = []
        try:
            self._write(batch, events, offsets, now, files)
            crashpoints.reach("after_publish")
            with self.manifest.locked():
                entry = self.manifest.append_add((batch.topic, batch.partition), batch.start,
                                                 batch.next_offset, files)
        except ManifestConflict:
            self._discard(files)
            raise
        return Landed(entry, len(events), duplicates, len(batch.dead))

    def _write(self, batch: Batch, events: Sequence[Event], offsets: Sequence[int],
               now: datetime, written: list[WrittenFile]) -> None:
        """Publish the batch's files, appending each to ``written`` as soon as it exists."""
        name = batch_name(batch.topic, batch.partition, batch.start, batch.next_offset - 1)
        for (table, day), rows in group_by_day(events, offsets).items():
            lineage = Lineage(batch.topic, [batch.partition] * len(rows[0]), rows[1], now)
            data = events_to_table(table, rows[0], lineage)
            written.append(self._publish(table, day, name, data))
        if batch.dead:
            written.append(self._publish("dead_letter", now.date().isoformat(), name,
                                         dead_letters_to_table(batch.dead, now)))

    def _publish(self, table: str, day: str, name: str, data: Any) -> WrittenFile:
        content = parquet_bytes(data, self.settings.row_group_rows)
        return publish(self.lake, f"{partition_dir(table, day)}/{name}", content, data.num_rows, table)

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


def dedupe(events: Sequence[Event], offsets: Sequence[int]) -> tuple[list[Event], list[int], int]:
    """Keep the first of each ``(source, event_id)``; returns events, offsets, duplicates."""
    seen: set[tuple[str, str]] = set()
    kept, kept_offsets = [], []
    for event, offset in zip(events, offsets, strict=True):
        key = (event.source, event.event_id)
        if key not in seen:
            seen.add(key)
            kept.append(event)
            kept_offsets.append(offset)
    return kept, kept_offsets, len(events) - len(kept)


def group_by_day(events: Sequence[Event], offsets: Sequence[int]
                 ) -> dict[tuple[str, str], tuple[list[Event], list[int]]]:
    """Events grouped by (event_type, UTC date of occurred_at), in offset order."""
    groups: dict[tuple[str, str], tuple[list[Event], list[int]]] = defaultdict(lambda: ([], []))
    for event, offset in zip(events, offsets, strict=True):
        rows = groups[(event.event_type, event.occurred_at.date().isoformat())]
        rows[0].append(event)
        rows[1].append(offset)
    return dict(groups)
