"""``verify``: prove the lake is what the manifest committed (after CloudTrail's log file
integrity validation).

Checks, each reported as one finding line:

- every manifest line is JSON whose ``hash`` matches its content (else: entry edited);
- sequence numbers run 1, 2, 3... (a gap: entry deleted; a step back: entries reordered);
- every ``prev`` equals the hash of the line before (else: chain broken);
- every file an entry names and no later ``replace`` removed exists (else: file deleted) and has
  the recorded SHA-256 (else: file edited);
- every Parquet file in the lake is named by some entry (else: file added). Dropping the last
  manifest line therefore shows up as its files being "added". A file of an interrupted
  compaction (``compacted+<id>+<n>.parquet``, never committed) is a note, not a finding: the next
  compact or worker start removes it;
- the manifest agrees with the heads anchored outside the lake (the witness files and, when
  given, the heads read from Kafka) and with the consumer group's committed offsets
  (:mod:`lake.anchors`).

A torn last line (a writer killed mid-append, not yet committed) is not a finding. The manifest
and the witness are read under a shared lock, so no commit is half seen; the files are hashed
after it is released.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aftershock.errors import LakeError
from aftershock.settings import LakeSettings
from lake.anchors import Anchor, Findings, compare, compare_offsets, trusted
from lake.files import COMPACTED, STAGING, sha256_file
from lake.manifest import GENESIS, MANIFEST_DIR, Manifest, entry_hash
from lake.witness import Witness, verify_key


@dataclass
class Report(Findings):
    entries: int = 0
    files: int = 0


@dataclass(frozen=True)
class Remote:
    """What Kafka says: the heads on the heads topic, the consumer group's committed offsets."""

    heads: list[Anchor] = field(default_factory=list)
    group: str = ""
    committed: dict[tuple[str, int], int] = field(default_factory=dict)


def verify_lake(lake: Path, settings: LakeSettings | None = None,
                remote: Remote | None = None) -> Report:
    """Check ``lake`` and return every finding (an empty list means intact); ``settings`` default
    to the environment's."""
    if not lake.is_dir():
        raise LakeError(f"lake folder {lake} does not exist; pass --lake")
    if settings is None:
        from aftershock.settings import load_settings

        settings = load_settings().lake
    report = Report()
    manifest, witness = Manifest(lake), Witness(settings.anchor_dir, lake)
    with manifest.quiet():
        entries = _check_chain(manifest.path, report)
        lake_id = entries[0].get("hash") if entries else None
        anchors = _witnessed(witness, lake_id, report)
    anchors += [(w, r) for w, r in (remote.heads if remote else [])
                if r.get("lake") == lake_id or r.get("lake_path") == witness.lake_path]
    compare(entries, lake_id, trusted(anchors, verify_key(settings), report), report)
    if remote is not None:
        compare_offsets(entries, remote.committed, remote.group, report)
    named, removed = named_files(entries)
    _check_files(lake, named, removed, report)
    _check_added(lake, named, report)
    return report


def check_contents(lake: Path, manifest_path: Path) -> Report:
    """The manifest's own chain and the files it names, nothing anchored outside the lake (the
    checks a lake must pass before its current head is adopted)."""
    report = Report()
    named, removed = named_files(_check_chain(manifest_path, report))
    _check_files(lake, named, removed, report)
    _check_added(lake, named, report)
    return report


def _witnessed(witness: Witness, lake_id: Any, report: Report) -> list[Anchor]:
    """The records of this lake's witness file and of other lakes' anchored at its folder."""
    lines = list(witness.records(lake_id)) if isinstance(lake_id, str) else []
    for other in witness.other_lakes_here(lake_id if isinstance(lake_id, str) else None):
        lines += [(w, r) for w, r in witness.records(other.stem)
                  if r is None or r.get("lake_path") == witness.lake_path]
    anchors = []
    for where, record in lines:
        if record is None:
            report.notes.append(f"{where}: unreadable witness line (a write cut short), skipped")
        else:
            anchors.append((where, record))
    return anchors


def _read_lines(path: Path) -> list[bytes]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    return data.rpartition(b"\n")[0].split(b"\n") if b"\n" in data else []


def _check_chain(path: Path, report: Report) -> list[dict[str, Any]]:
    return check_chain_lines(_read_lines(path), report)


def check_chain_lines(lines: list[bytes], report: Report) -> list[dict[str, Any]]:
    """The entries of the manifest ``lines`` (in order), every break of the chain reported."""
    entries, prev_hash, prev_seq = [], GENESIS, 0
    for line_no, line in enumerate(lines, start=1):
        try:
            entry = json.loads(line)
        except ValueError:
            report.findings.append(f"manifest line {line_no}: not JSON (entry edited)")
            prev_seq += 1
            continue
        seq, explained = entry.get("seq", -1), False
        if entry.get("hash") != entry_hash(entry):
            report.findings.append(f"manifest line {line_no} (seq {seq}): entry edited (content "
                                   "does not match its hash)")
            explained = True
        if seq > prev_seq + 1:
            report.findings.append(f"manifest line {line_no}: entries seq {prev_seq + 1}..{seq - 1} "
                                   "missing (deleted)")
            explained = True
        elif seq <= prev_seq:
            report.findings.append(f"manifest line {line_no}: seq {seq} after seq {prev_seq} "
                                   "(entries reordered)")
            explained = True
        if entry.get("prev") != prev_hash and not explained:
            report.findings.append(f"manifest line {line_no} (seq {seq}): chain broken (prev does "
                                   "not match the entry before)")
        entries.append(entry)
        prev_hash, prev_seq = entry.get("hash"), max(prev_seq, seq)
    report.entries = len(entries)
    return entries


def named_files(entries: list[dict[str, Any]]) -> tuple[dict[str, str], set[str]]:
    named: dict[str, str] = {}
    removed: set[str] = set()
    for entry in entries:
        for ref in entry.get("files", []):
            named[ref["path"]] = ref["sha256"]
        removed.update(entry.get("remove", []))
    return named, removed


def _check_files(lake: Path, named: dict[str, str], removed: set[str], report: Report) -> None:
    for rel, digest in sorted(named.items()):
        path = lake / rel
        if not path.is_file():
            if rel not in removed:
                report.findings.append(f"{rel}: file deleted (named in the manifest, missing)")
            continue
        report.files += 1
        if sha256_file(path) != digest:
            report.findings.append(f"{rel}: file edited (SHA-256 differs from the manifest)")


def _check_added(lake: Path, named: dict[str, str], report: Report) -> None:
    for root, dirs, names in os.walk(lake):
        rel_root = os.path.relpath(root, lake)
        if rel_root == ".":
            dirs[:] = [d for d in dirs if d not in (STAGING, MANIFEST_DIR)]
        for name in names:
            rel = name if rel_root == "." else f"{rel_root}/{name}"
            if not name.endswith(".parquet") or rel in named:
                continue
            if COMPACTED.fullmatch(name):
                report.notes.append(f"{rel}: left by an interrupted compaction (never committed); "
                                    "the next compact or worker start removes it")
            else:
                report.findings.append(f"{rel}: file added (not named in the manifest)")
