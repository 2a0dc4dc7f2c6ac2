"""The witness: signed manifest heads kept outside the lake (after CloudTrail's signed digest
files).

Every manifest commit appends two records to the lake's witness file
``<anchor_dir>/<lake id>.jsonl`` while the writer holds the manifest lock: an ``intent`` naming
the entry about to be written (sequence number and hash), then, once the manifest line is
fsynced, the ``head``. The lake id is the hash of the lake's first manifest entry. Records are
one canonical JSON object per line::

    {"phase": "head", "lake": "<id>", "lake_path": "/data/lake", "seq": 7, "hash": "<entry 7>",
     "at": "2026-11-02T14:03:11.123456+00:00", "key": "<fingerprint>", "sig": "<base64>"}

``sig`` is the Ed25519 signature (:mod:`lake.keys`) of the record without ``sig``; without a
signing key ``key`` and ``sig`` are null. A writer that stops between the two records leaves an
intent without its head; the next writer (under the lock) completes it when the manifest ends
with exactly that entry, or records it ``void`` when the entry was never written. Nothing else
ever rewrites the file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from aftershock.errors import ConfigError, LakeError
from aftershock.settings import LakeSettings
from lake import keys

Record = dict[str, Any]


def payload(record: Record) -> bytes:
    """The signed bytes of a record: its canonical JSON without ``sig``."""
    return _canonical({k: v for k, v in record.items() if k != "sig"})


def _canonical(obj: Record) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def outside(lake: Path, path: Path, what: str) -> Path:
    """``path`` if it is not inside ``lake``; a ConfigError naming ``what`` otherwise."""
    resolved = path.expanduser().resolve()
    if resolved.is_relative_to(lake.resolve()):
        raise ConfigError(f"{what} {path} is inside the lake {lake}: whoever can write the lake "
                          "could rewrite it; point it outside the lake")
    return resolved


class Witness:
    """The witness files of one lake's heads."""

    def __init__(self, anchor_dir: Path, lake: Path, key: Ed25519PrivateKey | None = None) -> None:
        self.dir = outside(lake, anchor_dir, "anchor folder (AFTERSHOCK_LAKE__ANCHOR_DIR)")
        self.lake_path = str(lake.resolve())
        self.key = key
        self.fingerprint = keys.fingerprint(key.public_key()) if key is not None else None

    @classmethod
    def from_settings(cls, settings: LakeSettings, lake: Path) -> Witness:
        key = None
        if settings.signing_key is not None:
            key = keys.load_signing_key(outside(lake, settings.signing_key,
                                                "signing key (AFTERSHOCK_LAKE__SIGNING_KEY)"))
        return cls(settings.anchor_dir, lake, key)

    def file(self, lake_id: str) -> Path:
        return self.dir / f"{lake_id}.jsonl"

    def write(self, phase: str, lake_id: str, seq: int, entry_hash: str) -> Record:
        """Append a signed record of ``phase`` and fsync it."""
        record: Record = {"phase": phase, "lake": lake_id, "lake_path": self.lake_path, "seq": seq,
                          "hash": entry_hash, "at": datetime.now(UTC).isoformat(),
                          "key": self.fingerprint, "sig": None}
        if self.key is not None:
            record["sig"] = keys.sign(self.key, payload(record))
        _append_line(self.file(lake_id), _canonical(record) + b"\n")
        return record

    def recover(self, lake_id: str | None, seq: int, head: str) -> str | None:
        """Complete or void the intent a stopped writer left (call under the manifest lock, with
        the manifest's last entry); returns what was done, for the log."""
        last = self.last(lake_id) if lake_id is not None else None
        if last is None or last.get("phase") != "intent" or not self._ours(last):
            return None
        if last.get("seq") == seq and last.get("hash") == head and lake_id is not None:
            self.write("head", lake_id, seq, head)
            return (f"manifest entry {seq} was committed by a writer that stopped before "
                    "anchoring it; anchored now")
        if last.get("seq") == seq + 1 and lake_id is not None:
            self.write("void", lake_id, seq + 1, str(last.get("hash")))
            return (f"manifest entry {seq + 1} was announced by a writer that stopped before "
                    "writing it; recorded as never committed")
        return None

    def _ours(self, record: Record) -> bool:
        if self.key is None:
            return True
        return keys.signed_by(self.key.public_key(), payload(record), str(record.get("sig")))

    def last(self, lake_id: str) -> Record | None:
        """The newest complete record of ``lake_id`` (None if none)."""
        try:
            with open(self.file(lake_id), "rb") as handle:
                size = handle.seek(0, os.SEEK_END)
                handle.seek(max(0, size - 8192))
                tail = handle.read()
        except FileNotFoundError:
            return None
        for line in reversed(tail.split(b"\n")):
            record = _parse(line)
            if record is not None:
                return record
        return None

    def records(self, lake_id: str) -> Iterator[tuple[str, Record | None]]:
        """(``file:line``, record or None if unreadable) of every line of ``lake_id``'s file."""
        yield from _lines(self.file(lake_id))

    def other_lakes_here(self, lake_id: str | None) -> list[Path]:
        """Witness files of other lakes that anchored heads for this lake's folder (the folder's
        lake was replaced by another one)."""
        found = []
        for path in sorted(self.dir.glob("*.jsonl")) if self.dir.is_dir() else []:
            if path.stem == lake_id:
                continue
            records = [r for _, r in _lines(path) if r is not None]
            if any(r.get("lake_path") == self.lake_path and r.get("phase") == "head" for r in records):
                found.append(path)
        return found


def verify_key(settings: LakeSettings) -> Ed25519PublicKey | None:
    """The public key heads are checked with: the setting, else the signing key's (None: none)."""
    if settings.verify_key:
        return keys.load_verify_key(settings.verify_key)
    if settings.signing_key is not None:
        return keys.load_signing_key(settings.signing_key).public_key()
    return None


def _append_line(path: Path, line: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            if os.fstat(fd).st_size and not _ends_with_newline(path):
                line = b"\n" + line  # a torn line of a stopped writer stays on its own
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise LakeError(f"cannot append to the witness file {path} ({exc.strerror}): check "
                        "AFTERSHOCK_LAKE__ANCHOR_DIR and retry (the next writer completes the "
                        "anchoring)") from exc


def _ends_with_newline(path: Path) -> bool:
    with open(path, "rb") as handle:
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) == b"\n"


def _lines(path: Path) -> Iterator[tuple[str, Record | None]]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.strip():
            yield f"{path}:{number}", _parse(line)


def _parse(line: bytes) -> Record | None:
    try:
        record = json.loads(line)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None
