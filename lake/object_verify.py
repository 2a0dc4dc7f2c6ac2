"""``verify`` of a lake on object storage: the checks of :mod:`lake.verify` on its objects.

The entry objects, read in key order, are the lines of a local manifest, so the chain checks are
the same code (a deleted entry object shows as a gap in ``seq``, an edited one as a hash that
does not match; "manifest line N" is the N-th entry object). Every object an entry names is read
and hashed; a Parquet object no entry names is "added" unless it is younger than the orphan grace
period (then a note: a commit may be in flight). An older one is either added by someone else or
the orphan of a killed writer that no sweep removed yet (``ObjectManifest.remove_orphans``).
Anchors come from the object witness (:mod:`lake.object_witness`) and are compared by
:mod:`lake.anchors`, as for a local lake.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from aftershock.settings import LakeSettings
from lake import checkpoints
from lake.anchors import Anchor, compare, compare_offsets, trusted
from lake.manifest import State
from lake.object_manifest import ENTRIES, ORPHAN_GRACE, entry_key
from lake.object_witness import ObjectWitness
from lake.storage import Store
from lake.verify import Remote, Report, check_chain_lines, named_files
from lake.witness import verify_key


def verify_object_lake(store: Store, settings: LakeSettings, witness: ObjectWitness | None,
                       remote: Remote | None = None) -> Report:
    """Check the lake in ``store`` and return every finding (none: intact)."""
    report = Report()
    keys = [k for k in store.keys(ENTRIES) if k.endswith(".json")]
    entries = check_chain_lines([store.read(k).rstrip(b"\n") for k in keys], report)
    _check_keys(keys, report)
    lake_id = entries[0].get("hash") if entries else None
    anchors = _anchors(witness, lake_id, report)
    anchors = _without_lost_races(anchors, entries, report)
    anchors += [(w, r) for w, r in (remote.heads if remote else []) if r.get("lake") == lake_id]
    compare(entries, lake_id if isinstance(lake_id, str) else None,
            trusted(anchors, verify_key(settings), report), report)
    if remote is not None:
        compare_offsets(entries, remote.committed, remote.group, report)
    _check_checkpoints(store, entries, report)
    named, removed = named_files(entries)
    _check_objects(store, named, removed, report)
    _check_added(store, named, report)
    return report


def _anchors(witness: ObjectWitness | None, lake_id: Any, report: Report) -> list[Anchor]:
    """The records of this lake and of every other lake anchored for its URL."""
    if witness is None:
        report.notes.append("no anchor store given: heads not checked")
        return []
    ids = set(witness.lakes_here()) | ({lake_id} if isinstance(lake_id, str) else set())
    anchors = []
    for lake in sorted(ids):
        for where, record in witness.records(lake):
            if record is None:
                report.notes.append(f"{where}: unreadable witness object, skipped")
            else:
                anchors.append((where, record))
    return anchors


def _without_lost_races(anchors: list[Anchor], entries: list[dict[str, Any]],
                        report: Report) -> list[Anchor]:
    """The anchors minus intents for a sequence number whose entry has another hash and that no
    head confirms: a writer lost the race for that number (its create was refused) and stopped
    before recording ``void``; the next writer to start records it. A rewritten entry is still
    found: its head, or the heads of the entries after it, disagree."""
    hashes = {e.get("seq"): e.get("hash") for e in entries}
    heads = {(r.get("seq"), r.get("hash")) for _, r in anchors if r.get("phase") != "intent"}
    kept = []
    for where, record in anchors:
        seq, digest = record.get("seq"), record.get("hash")
        if (record.get("phase") == "intent" and seq in hashes and hashes[seq] != digest
                and (seq, digest) not in heads):
            report.notes.append(f"{where}: intent of a writer that lost the race for entry {seq} "
                                "(never committed)")
            continue
        kept.append((where, record))
    return kept


def _check_checkpoints(store: Store, entries: list[dict[str, Any]], report: Report) -> None:
    """Every checkpoint must equal the state replayed from the entries up to its sequence."""
    found = dict(checkpoints.saved(store))
    state = State()
    for entry in entries:
        for path in entry.get("remove", []):
            state.live.pop(path, None)
        for ref in entry.get("files", []):
            state.live[ref.get("path")] = ref
        if entry.get("op") == "add":
            partition = (str(entry.get("topic")), int(entry.get("partition", -1)))
            state.positions[partition] = int(entry.get("next_offset", -1))
        state.seq, state.head = int(entry.get("seq", -1)), str(entry.get("hash"))
        state.lake_id = state.lake_id or state.head
        key = found.pop(state.seq, None)
        if key is not None and json.loads(store.read(key)) != json.loads(checkpoints.encode(state)):
            report.findings.append(f"{key}: checkpoint differs from the entries it summarises "
                                   "(edited)")
    for key in found.values():
        report.findings.append(f"{key}: checkpoint of an entry the manifest no longer has "
                               "(entries deleted)")


def _check_keys(keys: list[str], report: Report) -> None:
    for number, key in enumerate(keys, start=1):
        if key != entry_key(number):
            report.findings.append(f"{key}: entry object out of sequence (expected "
                                   f"{entry_key(number)}): entries deleted or added")
            return


def _check_objects(store: Store, named: dict[str, str], removed: set[str], report: Report) -> None:
    for key, digest in sorted(named.items()):
        try:
            data = store.read(key)
        except FileNotFoundError:
            if key not in removed:
                report.findings.append(f"{key}: file deleted (named in the manifest, missing)")
            continue
        report.files += 1
        if hashlib.sha256(data).hexdigest() != digest:
            report.findings.append(f"{key}: file edited (SHA-256 differs from the manifest)")


def _check_added(store: Store, named: dict[str, str], report: Report) -> None:
    cutoff = datetime.now(UTC) - ORPHAN_GRACE
    recent = []
    for key in store.keys("event_type="):
        if not key.endswith(".parquet") or key in named:
            continue
        if store.modified(key) >= cutoff:
            recent.append(key)
        else:
            report.findings.append(f"{key}: file added (not named in the manifest; or a killed "
                                   "writer's orphan no sweep removed yet)")
    if recent:
        report.notes.append(f"{len(recent)} objects not committed (yet), e.g. {recent[0]}: written "
                            f"within the last {ORPHAN_GRACE}, by a commit in flight or a writer "
                            "killed before its commit (then removed after that time)")
