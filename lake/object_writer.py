"""Land one batch into a lake on object storage: data objects first, then one create-only entry.

The same batches as :class:`lake.writer.LakeWriter` (the :class:`~lake.writer.Accumulator` is
shared), with two differences that replace the local lock:

- object names end with a token unique to this write
  (``<topic>+<partition>+<first>+<last>+<token>.parquet``), so two workers that both land a range
  during a rebalance never overwrite each other's objects, and the loser's are simply deleted;
- the entry is committed with :meth:`lake.object_manifest.ObjectManifest.append_add`, which
  re-checks the partition's position after every lost race: a range another worker landed first
  raises ``ManifestConflict`` and this writer's objects are deleted (exactly once).

A writer killed before its entry leaves only orphans; orphans older than the grace period are
removed by :meth:`ObjectManifest.remove_orphans`. A writer never commits objects it wrote more
than half that period ago (they may already count as orphans elsewhere): the batch is dropped
with ``ManifestConflict`` and its offsets are landed again from Kafka.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from aftershock.settings import IngestSettings
from lake import crashpoints
from lake.files import WrittenFile, batch_name, parquet_bytes, partition_dir
from lake.manifest import ManifestConflict, Partition
from lake.object_manifest import ORPHAN_GRACE, REPLACED_GRACE, Anchoring, ObjectManifest
from lake.storage import Store
from lake.writer import Accumulator, Batch, Landed

MAX_PUBLISH_AGE_S = ORPHAN_GRACE.total_seconds() / 2


class ObjectLakeWriter:
    """Writes batches into one lake on a :class:`~lake.storage.Store`."""

    def __init__(self, store: Store, settings: IngestSettings, witness: Anchoring | None = None,
                 replaced_grace: timedelta = REPLACED_GRACE) -> None:
        self.store = store
        self.lake = store.url
        self.settings = settings
        self.manifest = ObjectManifest(store, witness, replaced_grace)

    def land(self, batch: Batch) -> Landed:
        """Land a batch of validated events (see :meth:`commit`)."""
        acc = Accumulator(batch.topic, batch.partition, datetime.now(UTC))
        acc.add(batch.events, batch.offsets)
        acc.add_dead(batch.dead)
        return self.commit(acc, batch.start, batch.next_offset)

    def commit(self, acc: Accumulator, start: int, next_offset: int) -> Landed:
        """Write the accumulated objects and commit them in one entry; raises ManifestConflict
        (after deleting them) when another writer landed the range first."""
        stem = batch_name(acc.topic, acc.partition, start, next_offset - 1).removesuffix(".parquet")
        name = f"{stem}+{uuid.uuid4().hex[:12]}.parquet"
        files: list[WrittenFile] = []
        began = time.monotonic()
        try:
            for table, day, data in acc.tables():
                content = parquet_bytes(data, self.settings.row_group_rows)
                key = f"{partition_dir(table, day)}/{name}"
                self.store.put(key, content)
                files.append(WrittenFile(key, hashlib.sha256(content).hexdigest(), len(content),
                                         data.num_rows, table))
            crashpoints.reach("after_publish")
            if time.monotonic() - began > MAX_PUBLISH_AGE_S:
                raise ManifestConflict(f"{acc.topic}[{acc.partition}]: objects written more than "
                                       f"{MAX_PUBLISH_AGE_S:.0f} s ago may be taken for orphans "
                                       "(batch dropped; it is landed again)")
        except BaseException:
            self._discard(files)
            raise
        try:
            entry = self.manifest.append_add((acc.topic, acc.partition), start, next_offset, files)
        except ManifestConflict:
            self._discard(files)
            raise
        # any other error leaves the objects: the entry may have been created (an unanswered
        # request); if it was not, they are orphans and removed after the grace period
        return Landed(entry, acc.events, acc.duplicates, len(acc.dead))

    def remove_orphans(self, partitions: Iterable[Partition]) -> int:
        """Delete the old orphans of ``partitions`` (see :meth:`ObjectManifest.remove_orphans`)."""
        return self.manifest.remove_orphans(partitions)

    def _discard(self, files: Iterable[WrittenFile]) -> None:
        for ref in files:
            self.store.delete(ref.path)
