"""The manifest on object storage: one create-only object per entry, no lock, no shared disk.

Entry ``N`` is the object ``_manifest/entries/<N, 20 digits>.json`` holding exactly the bytes of
line ``N`` of a local ``manifest.jsonl`` (same canonical JSON, same hash chain, ending in a
newline), so the entries concatenated in key order are a local manifest and verification is
shared (:mod:`lake.verify`). A commit is one create-only write (:meth:`lake.storage.Store.create`:
S3 ``PutObject`` with ``If-None-Match: *``) of the next sequence number:

1. list the entries after the last one this writer has read and apply them (:meth:`refresh`);
2. build the entry on that state: an ``add`` is refused (``ManifestConflict``) unless its
   ``start_offset`` is where its partition ended, a ``replace`` unless its inputs are live;
3. record the signed intent in the witness, create entry ``seq + 1``: created, the entry is
   committed (atomic: the object exists whole or not at all) and its head is anchored; refused
   (412), another writer committed ``seq + 1`` first: the intent is voided and the writer goes
   back to 1, so the partition check runs again on the winner's entries.

So commits are totally ordered by ``seq``, a lost race is detected by the store itself, and a
writer killed at any point leaves either a whole entry or none; the data objects it wrote before
are orphans no entry names (removed after a grace period, :meth:`remove_orphans`).

The objects a compaction replaced stay in the store after its ``replace`` entry commits, so a
reader on another host that opened an older snapshot can still read them; the same sweep deletes
them once that entry committed more than ``replaced_grace`` ago (:meth:`removable`).
"""

from __future__ import annotations

import json
import random
import re
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from aftershock.errors import LakeError
from lake import checkpoints, crashpoints
from lake.files import WrittenFile, partition_prefix
from lake.manifest import ManifestConflict, Partition, State, canonical, entry_hash
from lake.storage import Store

__all__ = ["ENTRIES", "ObjectManifest", "entry_key"]

ENTRIES = "_manifest/entries/"
_ENTRY = re.compile(r"_manifest/entries/(\d{20})\.json")
MAX_ATTEMPTS = 1000  # lost races in a row before a commit gives up (each one is another commit)
ORPHAN_GRACE = timedelta(hours=1)  # uncommitted data objects younger than this are left alone
REPLACED_GRACE = timedelta(hours=1)  # replaced objects are kept this long after their replace


def entry_key(seq: int) -> str:
    return f"{ENTRIES}{seq:020d}.json"


class Anchoring(Protocol):
    """Where a writer anchors its commits (:class:`lake.object_witness.ObjectWitness`)."""

    def write(self, phase: str, lake_id: str, seq: int, entry_hash: str) -> object: ...

    def recover(self, lake_id: str | None, hashes: dict[int, str]) -> list[str]: ...


Body = Callable[[State], dict[str, Any]]


class ObjectManifest:
    """One lake's manifest on a :class:`~lake.storage.Store`, read incrementally."""

    def __init__(self, store: Store, witness: Anchoring | None = None,
                 replaced_grace: timedelta = REPLACED_GRACE) -> None:
        self.store = store
        self.replaced_grace = replaced_grace
        self.state = State()
        self.witness = witness
        self.races = 0  # commits this writer lost to another writer (then retried)
        self.hashes: dict[int, str] = {}  # seq -> hash of every entry read or written
        self._recovered = False

    def refresh(self) -> State:
        """Apply the entries committed since the last read (a new reader starts from the newest
        checkpoint, :mod:`lake.checkpoints`)."""
        if self.state.seq == 0:
            self.state = checkpoints.latest(self.store) or self.state
        for key in self.store.keys(ENTRIES, after=entry_key(self.state.seq)):
            match = _ENTRY.fullmatch(key)
            if match is None:
                continue
            seq = int(match.group(1))
            if seq != self.state.seq + 1:
                raise LakeError(f"{self.store.uri(key)}: manifest entry {self.state.seq + 1} is "
                                "missing (deleted); run `aftershock verify` for details")
            entry = json.loads(self.store.read(key))
            if entry.get("seq") != seq:
                raise LakeError(f"{self.store.uri(key)}: holds entry {entry.get('seq')}, not {seq} "
                                "(edited); run `aftershock verify` for details")
            self.state.apply(entry, seq)
            self.hashes[seq] = entry["hash"]
        return self.state

    def append_add(self, partition: Partition, start: int, next_offset: int,
                   files: Sequence[WrittenFile]) -> dict[str, Any]:
        """Commit a batch of ``partition`` covering offsets ``[start, next_offset)``; raises
        ManifestConflict when another writer committed this range first."""
        def body(state: State) -> dict[str, Any]:
            expected = state.positions.get(partition)
            if expected is not None and expected != start:
                raise ManifestConflict(
                    f"{partition[0]}[{partition[1]}]: batch starts at offset {start} but the "
                    f"manifest ends at {expected}; another writer committed this range (batch "
                    "dropped)")
            return {"op": "add", "topic": partition[0], "partition": partition[1],
                    "start_offset": start, "next_offset": next_offset}
        return self.commit(body, files)

    def append_replace(self, removed: Sequence[str], files: Sequence[WrittenFile]) -> dict[str, Any]:
        """Commit a compaction: ``files`` replace the live files ``removed``."""
        def body(state: State) -> dict[str, Any]:
            gone = [p for p in removed if p not in state.live]
            if gone:
                raise ManifestConflict(f"compaction input {gone[0]} is no longer live; "
                                       "compaction dropped, run it again")
            return {"op": "replace", "remove": list(removed)}
        return self.commit(body, files)

    def commit(self, body: Body, files: Sequence[WrittenFile]) -> dict[str, Any]:
        """Commit the entry ``body`` builds on the newest state, retrying lost races."""
        refs = [asdict(f) for f in files]
        if self.witness is not None and not self._recovered:
            for done in self.witness.recover(self.refresh().lake_id, self.hashes):
                _log(done)
            self._recovered = True
        for attempt in range(MAX_ATTEMPTS):
            state = self.refresh()
            entry = {"seq": state.seq + 1, **body(state), "files": refs,
                     "at": datetime.now(UTC).isoformat(), "prev": state.head}
            entry["hash"] = entry_hash(entry)
            if self._create(entry, state.lake_id or entry["hash"]):
                return entry
            self.races += 1
            time.sleep(random.uniform(0, min(0.2, 0.005 * 2 ** min(attempt, 6))))  # noqa: S311
        raise LakeError(f"{self.store.url}: lost {MAX_ATTEMPTS} commit races in a row; too many "
                        "writers for one lake, or entries being created by something else")

    def _create(self, entry: dict[str, Any], lake_id: str) -> bool:
        seq, digest = entry["seq"], entry["hash"]
        if self.witness is not None:
            self.witness.write("intent", lake_id, seq, digest)
        crashpoints.reach("before_entry")
        if not self.store.create(entry_key(seq), canonical(entry) + b"\n"):
            if self.witness is not None:
                self.witness.write("void", lake_id, seq, digest)
            return False
        self.state.apply(entry, seq)
        self.hashes[seq] = digest
        crashpoints.reach("before_head")
        if self.witness is not None:
            self.witness.write("head", lake_id, seq, digest)
        checkpoints.write(self.store, self.state)
        return True

    def removable(self, prefixes: tuple[str, ...] = ("",), grace: timedelta = ORPHAN_GRACE,
                  now: datetime | None = None) -> list[tuple[str, str]]:
        """(key, why) of the data objects that are not live, whose names start with one of
        ``prefixes``, and that either a ``replace`` entry removed more than ``replaced_grace``
        ago, or no recent ``replace`` removed and were last modified more than ``grace`` ago
        (orphans: a younger one may belong to a commit still in flight, since a writer refuses
        to commit objects it wrote more than half the grace ago, see
        :class:`lake.object_writer.ObjectLakeWriter`)."""
        now = now or datetime.now(UTC)
        live = set(self.refresh().live)
        unnamed = [key for key in self.store.keys("event_type=") if key.endswith(".parquet")
                   and key not in live and key.rsplit("/", 1)[-1].startswith(prefixes)]
        if not unnamed:
            return []
        # back far enough that an object replaced before is also older than ``grace``; the half
        # grace more allows for writers' clocks that differ by up to half of it
        replaced = self.replaced_since(now - max(self.replaced_grace * 1.5, grace))
        found = []
        for key in unnamed:
            if key in replaced:
                seq, at = replaced[key]
                if at < now - self.replaced_grace:
                    found.append((key, f"replaced by entry {seq} committed at {at:%Y-%m-%d %H:%M:%S} "
                                       f"UTC, more than {self.replaced_grace} ago"))
            elif _modified(self.store, key, now) < now - grace:
                found.append((key, f"written more than {grace} ago and not live (committed by no "
                                   "entry, or replaced long ago)"))
        return found

    def replaced_since(self, cutoff: datetime) -> dict[str, tuple[int, datetime]]:
        """Object -> (seq, commit time) of the ``replace`` entries that removed it, reading the
        entries back from the newest to the first committed before ``cutoff``."""
        found: dict[str, tuple[int, datetime]] = {}
        for seq in range(self.state.seq, 0, -1):
            entry = json.loads(self.store.read(entry_key(seq)))
            if entry.get("hash") != self.hashes.get(seq, entry.get("hash")):
                raise LakeError(f"{self.store.uri(entry_key(seq))}: differs from the entry read "
                                "before (rewritten); run `aftershock verify` for details")
            at = datetime.fromisoformat(entry["at"])
            if entry.get("op") == "replace":
                for path in entry.get("remove", []):
                    found.setdefault(path, (seq, at))
            if at < cutoff:
                break
        return found

    def sweep_orphans(self, say: Callable[[str], None], prefixes: tuple[str, ...] = ("",),
                      grace: timedelta = ORPHAN_GRACE, now: datetime | None = None) -> int:
        """Delete the :meth:`removable` objects, naming each through ``say``; returns how many
        (an object already deleted, by another sweep, counts as removed)."""
        found = self.removable(prefixes, grace, now)
        for key, why in found:
            self.store.delete(key)
            say(f"removed {key}: {why}")
        return len(found)

    def remove_orphans(self, partitions: Iterable[Partition]) -> int:
        """The :meth:`removable` objects of ``partitions`` (a worker calls this when they are
        assigned to it), each removal logged."""
        prefixes = tuple(partition_prefix(t, p) for t, p in partitions)
        return self.sweep_orphans(_log, prefixes) if prefixes else 0

    def remove_compaction_leftovers_if_idle(self, say: Callable[[str], None]) -> int:
        """Nothing to do: a killed compaction's outputs on object storage are orphans, removed
        by :meth:`sweep_orphans`."""
        return 0


def _modified(store: Store, key: str, now: datetime) -> datetime:
    """When ``key`` was last modified; ``now`` if it is gone already (another sweep deleted it:
    nothing left to do)."""
    try:
        return store.modified(key)
    except FileNotFoundError:
        return now


def _log(message: str) -> None:
    print(f"aftershock lake: {message}", file=sys.stderr, flush=True)
