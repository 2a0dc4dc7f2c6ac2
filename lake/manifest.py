"""The append-only, hash-chained manifest: the lake's commit point.

``_manifest/manifest.jsonl`` holds one JSON entry per line. A batch is committed when its line is
written and fsynced; files no line names are not part of the lake. Entries::

    {"seq": 7, "op": "add", "topic": "audit.changes", "partition": 2,
     "start_offset": 1200, "next_offset": 1450,
     "files": [{"path": "event_type=change/date=2026-11-02/...parquet", "sha256": "...",
                "bytes": 81234, "rows": 250, "table": "change"}],
     "at": "2026-11-02T14:03:11.123456+00:00", "prev": "<hash of entry 6>", "hash": "<this>"}

    {"seq": 8, "op": "replace", "remove": ["<path>", ...], "files": [...], ...}

``hash`` is the SHA-256 of the entry's canonical JSON without ``hash``; ``prev`` chains the
entries. An ``add`` for (topic, partition) is accepted only if its ``start_offset`` equals that
partition's last ``next_offset``, so two writers can never both commit the same range. Writers
serialise on an ``flock`` of ``_manifest/manifest.lock``; readers need no lock and ignore an
unfinished last line (a writer killed mid-append), which the next writer truncates.

Every append is anchored outside the lake: under the lock, the writer records the entry's intent
in the witness (:mod:`lake.witness`), appends the line, then records the signed head. The lake id
is the hash of entry 1.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aftershock.errors import LakeError
from aftershock.fsutil import fsync_dir
from lake import crashpoints
from lake.files import COMPACTED, STAGING, ManifestConflict, WrittenFile, partition_prefix
from lake.witness import Witness

__all__ = ["GENESIS", "Manifest", "ManifestConflict", "State", "entry_hash", "snapshot"]

GENESIS = "0" * 64
MANIFEST_DIR = "_manifest"
Partition = tuple[str, int]


def entry_hash(entry: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of ``entry`` without its ``hash`` key."""
    body = {k: v for k, v in entry.items() if k != "hash"}
    return hashlib.sha256(canonical(body)).hexdigest()


def canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass
class State:
    """What the manifest says after its first ``lines`` complete lines."""

    seq: int = 0
    head: str = GENESIS
    positions: dict[Partition, int] = field(default_factory=dict)
    live: dict[str, dict[str, Any]] = field(default_factory=dict)
    read_bytes: int = 0
    lake_id: str | None = None  # the hash of entry 1

    def apply(self, entry: dict[str, Any], line_no: int) -> None:
        if entry.get("prev") != self.head or entry.get("hash") != entry_hash(entry):
            raise LakeError(f"manifest line {line_no}: hash chain broken (edited or reordered "
                            "entries); run `aftershock verify` for details")
        for path in entry.get("remove", []):
            self.live.pop(path, None)
        for ref in entry["files"]:
            self.live[ref["path"]] = ref
        if entry["op"] == "add":
            self.positions[(entry["topic"], entry["partition"])] = entry["next_offset"]
        self.seq, self.head = entry["seq"], entry["hash"]
        self.lake_id = self.lake_id or self.head

    def files_of(self, table: str) -> list[str]:
        return sorted(p for p, ref in self.live.items() if ref["table"] == table)


class Manifest:
    """One lake's manifest, read incrementally; appends happen inside :meth:`locked`."""

    def __init__(self, lake: Path, witness: Witness | None = None) -> None:
        self.lake = lake
        self.dir = lake / MANIFEST_DIR
        self.path = self.dir / "manifest.jsonl"
        self.state = State()
        self._lock_fd: int | None = None
        self._witness = witness

    @property
    def witness(self) -> Witness:
        """Where this writer anchors its commits (from the environment's lake settings unless
        given): only writers need it, so readers never load a key."""
        if self._witness is None:
            from aftershock.settings import load_settings

            self._witness = Witness.from_settings(load_settings().lake, self.lake)
        return self._witness

    @contextmanager
    def locked(self) -> Iterator[State]:
        """Hold the writers' lock; the state is refreshed (a torn last line removed, and the
        anchoring a stopped writer left unfinished completed)."""
        witness = self.witness
        self.dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.dir / "manifest.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._lock_fd = fd
            self.refresh(repair=True)
            done = witness.recover(self.state.lake_id, self.state.seq, self.state.head)
            if done:
                print(f"aftershock lake: {done}", file=sys.stderr, flush=True)
            yield self.state
        finally:
            self._lock_fd = None
            os.close(fd)  # closing releases the lock

    @contextmanager
    def quiet(self) -> Iterator[None]:
        """Hold off writers (a shared lock) so a reader sees a manifest and witness that agree;
        no lock is needed when no writer ever made the lock file."""
        try:
            fd = os.open(self.dir / "manifest.lock", os.O_RDONLY)
        except FileNotFoundError:
            yield
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)
            yield
        finally:
            os.close(fd)

    def refresh(self, repair: bool = False) -> State:
        """Apply the complete lines appended since the last read."""
        try:
            with open(self.path, "rb") as handle:
                handle.seek(self.state.read_bytes)
                tail = handle.read()
        except FileNotFoundError:
            return self.state
        complete, _, torn = tail.rpartition(b"\n")
        if torn and repair:
            os.truncate(self.path, self.state.read_bytes + len(complete) + (1 if complete else 0))
        if complete:
            for line in complete.split(b"\n"):
                self.state.apply(json.loads(line), self.state.seq + 1)
            self.state.read_bytes += len(complete) + 1
        return self.state

    def remove_orphans(self, partitions: Iterable[Partition]) -> int:
        """Delete published-but-uncommitted and staged files of ``partitions`` (call when they
        are assigned to this writer). Runs under the lock, so a writer that lost the partition
        cannot commit a file this removes. Returns how many files were removed."""
        prefixes = tuple(partition_prefix(t, p) for t, p in partitions)
        if not prefixes:
            return 0
        with self.locked() as state:
            return _remove_orphans(self.lake, state, prefixes)

    @contextmanager
    def compacting(self, wait: bool = True) -> Iterator[bool]:
        """Hold the compaction lock (one compaction at a time); yields False, without waiting,
        when another process holds it and not ``wait``."""
        self.dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.dir / "compact.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
            else:
                yield True
        finally:
            os.close(fd)

    def remove_compaction_leftovers_if_idle(self, say: Callable[[str], None]) -> int:
        """:meth:`remove_compaction_leftovers` unless a compaction is running now."""
        with self.compacting(wait=False) as alone:
            return self.remove_compaction_leftovers(say) if alone else 0

    def remove_compaction_leftovers(self, say: Callable[[str], None]) -> int:
        """Delete the files a killed compaction published and never committed; call holding
        :meth:`compacting` (a running compaction's files are not leftovers yet). Returns how many
        were removed, each named through ``say``."""
        with self.locked() as state:
            leftovers = [p for p in self.lake.glob("event_type=*/date=*/compacted+*.parquet")
                         if COMPACTED.fullmatch(p.name)
                         and p.relative_to(self.lake).as_posix() not in state.live]
            for path in leftovers:
                path.unlink(missing_ok=True)
                say(f"removed {path.relative_to(self.lake)}: written by a compaction that "
                    "stopped before committing it")
        return len(leftovers)

    def append_add(self, partition: Partition, start: int, next_offset: int,
                   files: Sequence[WrittenFile]) -> dict[str, Any]:
        """Commit a batch of ``partition`` covering offsets ``[start, next_offset)``."""
        expected = self.state.positions.get(partition)
        if expected is not None and expected != start:
            raise ManifestConflict(
                f"{partition[0]}[{partition[1]}]: batch starts at offset {start} but the manifest "
                f"ends at {expected}; another writer committed this range (batch dropped)")
        entry = {"op": "add", "topic": partition[0], "partition": partition[1],
                 "start_offset": start, "next_offset": next_offset}
        return self._append(entry, files)

    def append_replace(self, removed: Sequence[str], files: Sequence[WrittenFile]) -> dict[str, Any]:
        """Commit a compaction: ``files`` replace the live files ``removed``."""
        gone = [p for p in removed if p not in self.state.live]
        if gone:
            raise ManifestConflict(f"compaction input {gone[0]} is no longer live; compaction "
                                   "dropped, run it again")
        return self._append({"op": "replace", "remove": list(removed)}, files)

    def _append(self, body: dict[str, Any], files: Sequence[WrittenFile]) -> dict[str, Any]:
        if self._lock_fd is None:
            raise LakeError("manifest append outside the writers' lock (a bug)")
        for ref in files:
            if not (self.lake / ref.path).is_file():
                raise ManifestConflict(f"{ref.path} vanished before its commit (batch dropped)")
        entry = {"seq": self.state.seq + 1, **body, "files": [asdict(f) for f in files],
                 "at": datetime.now(UTC).isoformat(), "prev": self.state.head}
        entry["hash"] = entry_hash(entry)
        lake_id = self.state.lake_id or entry["hash"]
        self.witness.write("intent", lake_id, entry["seq"], entry["hash"])
        line = canonical(entry) + b"\n"
        created = not self.path.exists()
        with open(self.path, "ab") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())
        if created:
            fsync_dir(self.dir)
        self.state.apply(entry, entry["seq"])
        self.state.read_bytes += len(line)
        crashpoints.reach("before_head")
        self.witness.write("head", lake_id, entry["seq"], entry["hash"])
        return entry


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


def snapshot(lake: Path) -> State:
    """The committed state of ``lake`` now (no lock; a torn last line is ignored)."""
    return Manifest(lake).refresh()
