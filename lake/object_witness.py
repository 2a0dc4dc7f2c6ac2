"""The witness of a lake on object storage: one create-only object per signed record.

The records are those of :mod:`lake.witness` (``intent``, ``head``, ``void``; same fields, same
Ed25519 signature), each stored as ``<lake id>/<seq, 20 digits>-<phase>-<hash prefix>.json`` in an
anchor store outside the lake (``AFTERSHOCK_LAKE__ANCHOR_STORE``: ``s3://other-bucket/prefix``,
ideally with S3 Object Lock; else the local anchor folder). Objects are created, never
overwritten, so writers on several hosts share one witness without a lock:

- before creating entry ``N`` a writer records ``intent`` (N, hash); when the entry's create is
  refused (another writer won ``N``) it records ``void`` for it, else ``head``;
- the first record a process writes for a lake also creates ``paths/<hash of the lake URL>/<lake
  id>``, so ``verify`` finds the heads of every lake ever anchored for that URL (a lake emptied or
  replaced by another one is found);
- a writer killed in between leaves an intent alone; the next writer to start
  (:meth:`ObjectWitness.recover`) anchors it as a ``head`` when entry N has that hash, else voids
  it. Intents newer than the manifest may belong to a commit in flight and are left alone.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from aftershock.errors import ConfigError
from aftershock.settings import LakeSettings
from lake import keys
from lake.storage import Store, open_store
from lake.witness import Record, payload


def _canonical(obj: Record) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class ObjectWitness:
    """The witness records of the lakes anchored in one store."""

    def __init__(self, store: Store, lake_url: str, key: Ed25519PrivateKey | None = None) -> None:
        lake = lake_url.rstrip("/") + "/"
        if (store.url.rstrip("/") + "/").startswith(lake):
            raise ConfigError(f"anchor store {store.url} is inside the lake {lake_url}: whoever "
                              "can write the lake could rewrite it; point it outside the lake")
        self.store = store
        self.lake_path = lake_url
        self.key = key
        self.fingerprint = keys.fingerprint(key.public_key()) if key is not None else None
        self._indexed: set[str] = set()

    @classmethod
    def from_settings(cls, settings: LakeSettings, lake_url: str) -> ObjectWitness:
        """The witness of the lake at ``lake_url``: in ``anchor_store`` (else ``anchor_dir``),
        signing with ``signing_key`` when set."""
        key = keys.load_signing_key(settings.signing_key) if settings.signing_key else None
        where = settings.anchor_store or str(settings.anchor_dir.expanduser())
        return cls(open_store(where, settings), lake_url, key)

    def write(self, phase: str, lake_id: str, seq: int, entry_hash: str) -> Record:
        """Create the signed record of ``phase`` (one already there is kept)."""
        return self._create(phase, lake_id, seq, entry_hash)[0]

    def _create(self, phase: str, lake_id: str, seq: int, entry_hash: str) -> tuple[Record, bool]:
        if lake_id not in self._indexed:  # once a process: which lakes were anchored for this URL
            self.store.create(f"{self._index()}{lake_id}", b"")
            self._indexed.add(lake_id)
        record: Record = {"phase": phase, "lake": lake_id, "lake_path": self.lake_path, "seq": seq,
                          "hash": entry_hash, "at": datetime.now(UTC).isoformat(),
                          "key": self.fingerprint, "sig": None}
        if self.key is not None:
            record["sig"] = keys.sign(self.key, payload(record))
        created = self.store.create(f"{lake_id}/{seq:020d}-{phase}-{entry_hash[:16]}.json",
                                    _canonical(record) + b"\n")
        return record, created

    def records(self, lake_id: str) -> list[tuple[str, Record | None]]:
        """(where, record or None if unreadable) of every record of ``lake_id``."""
        found: list[tuple[str, Record | None]] = []
        for key in self.store.keys(f"{lake_id}/"):
            found.append((self.store.uri(key), _parse(self.store.read(key))))
        return found

    def lakes_here(self) -> list[str]:
        """The ids of every lake anchored for this lake's URL (more than one: it was replaced)."""
        return [key.rsplit("/", 1)[-1] for key in self.store.keys(self._index())]

    def _index(self) -> str:
        return f"paths/{hashlib.sha256(self.lake_path.encode()).hexdigest()[:32]}/"

    def recover(self, lake_id: str | None, hashes: dict[int, str]) -> list[str]:
        """Anchor or void the intents stopped writers left (``hashes``: seq -> hash of every
        entry read so far); returns what was done, for the log."""
        if lake_id is None:
            return []
        records = [r for _, r in self.records(lake_id) if r is not None and self._ours(r)]
        settled = {(r.get("seq"), r.get("hash")) for r in records if r.get("phase") != "intent"}
        done = []
        for record in records:
            seq, digest = record.get("seq"), str(record.get("hash"))
            if record.get("phase") != "intent" or (seq, digest) in settled or not isinstance(seq, int):
                continue
            if seq not in hashes:
                continue  # newer than what this writer read: maybe a commit in flight
            phase = "head" if hashes[seq] == digest else "void"
            if self._create(phase, lake_id, seq, digest)[1]:  # else another writer did it
                done.append(f"manifest entry {seq}: intent of a stopped writer recorded as {phase}")
        return done

    def _ours(self, record: Record) -> bool:
        if self.key is None:
            return True
        return keys.signed_by(self.key.public_key(), payload(record), str(record.get("sig")))


def _parse(data: bytes) -> dict[str, Any] | None:
    try:
        record = json.loads(data)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None
