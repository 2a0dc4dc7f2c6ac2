"""``verify``: prove the lake is what the manifest committed (after CloudTrail's log file
integrity validation).

Checks, each reported as one finding line:

- every manifest line is JSON whose ``hash`` matches its content (else: entry edited);
- sequence numbers run 1, 2, 3... (a gap: entry deleted; a step back: entries reordered);
- every ``prev`` equals the hash of the line before (else: chain broken);
- every file an entry names and no later ``replace`` removed exists (else: file deleted) and has
  the recorded SHA-256 (else: file edited);
- every Parquet file in the lake is named by some entry (else: file added). Dropping the last
  manifest line therefore shows up as its files being "added".

A torn last line (a writer killed mid-append, not yet committed) is not a finding.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aftershock.errors import LakeError
from lake.files import STAGING, sha256_file
from lake.manifest import GENESIS, MANIFEST_DIR, Manifest, entry_hash


@dataclass
class Report:
    entries: int = 0
    files: int = 0
    findings: list[str] = field(default_factory=list)


def verify_lake(lake: Path) -> Report:
    """Check ``lake`` and return every finding (an empty list means intact)."""
    if not lake.is_dir():
        raise LakeError(f"lake folder {lake} does not exist; pass --lake")
    report = Report()
    entries = _check_chain(Manifest(lake).path, report)
    named, removed = _named_files(entries)
    _check_files(lake, named, removed, report)
    _check_added(lake, named, report)
    return report


def _read_lines(path: Path) -> list[bytes]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    return data.rpartition(b"\n")[0].split(b"\n") if b"\n" in data else []


def _check_chain(path: Path, report: Report) -> list[dict[str, Any]]:
    entries, prev_hash, prev_seq = [], GENESIS, 0
    for line_no, line in enumerate(_read_lines(path), start=1):
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


def _named_files(entries: list[dict[str, Any]]) -> tuple[dict[str, str], set[str]]:
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
            if name.endswith(".parquet") and rel not in named:
                report.findings.append(f"{rel}: file added (not named in the manifest)")
