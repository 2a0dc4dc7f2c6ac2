"""Checkpoints of the object manifest: a new reader starts from the newest one, verify checks
them against the entries, a forged one is caught."""

from __future__ import annotations

import json
from typing import Any

import pytest

from aftershock.errors import LakeError
from aftershock.settings import LakeSettings
from lake import checkpoints
from lake.files import WrittenFile
from lake.manifest import canonical
from lake.object_manifest import ObjectManifest
from lake.object_verify import verify_object_lake
from lake.storage import Store


class CountingReads:
    """The real store, counting ``read`` calls."""

    def __init__(self, real: Store) -> None:
        self.real, self.reads = real, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def read(self, key: str) -> bytes:
        self.reads += 1
        return bytes(self.real.read(key))


@pytest.fixture(autouse=True)
def every_three(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checkpoints, "EVERY", 3)


def _commit(store: Store, count: int) -> ObjectManifest:
    manifest = ObjectManifest(store)
    for n in range(count):
        ref = WrittenFile(f"event_type=change/date=2026-12-01/{n}.parquet", "0" * 64, 1, 1, "change")
        manifest.append_add(("t", n % 2), n // 2, n // 2 + 1, [ref])
    return manifest


def test_a_new_reader_starts_from_the_newest_checkpoint(store: Store) -> None:
    writer = _commit(store, 7)
    assert [seq for seq, _ in checkpoints.saved(store)] == [3, 6]
    counting = CountingReads(store)
    state = ObjectManifest(counting).refresh()  # type: ignore[arg-type]
    assert counting.reads == 2  # checkpoint 6, then entry 7
    assert (state.seq, state.head, state.lake_id) == (7, writer.state.head, writer.state.lake_id)
    assert state.positions == writer.state.positions and state.live == writer.state.live


def test_checkpoints_of_an_intact_lake_verify(store: Store) -> None:
    _commit(store, 7)
    report = verify_object_lake(store, LakeSettings(), None)
    assert [f for f in report.findings if "checkpoint" in f] == []


def test_an_edited_checkpoint_is_found_and_stops_a_reader_when_its_head_is_forged(store: Store) -> None:
    _commit(store, 7)
    key = checkpoints.checkpoint_key(6)
    body = json.loads(store.read(key))
    body["head"] = "f" * 64
    store.put(key, canonical(body) + b"\n")
    findings = verify_object_lake(store, LakeSettings(), None).findings
    assert f"{key}: checkpoint differs from the entries it summarises (edited)" in findings
    with pytest.raises(LakeError, match="hash chain broken"):
        ObjectManifest(store).refresh()


def test_a_checkpoint_beyond_the_entries_is_found(store: Store) -> None:
    _commit(store, 7)
    store.delete("_manifest/entries/00000000000000000007.json")
    store.delete("_manifest/entries/00000000000000000006.json")
    findings = verify_object_lake(store, LakeSettings(), None).findings
    assert (f"{checkpoints.checkpoint_key(6)}: checkpoint of an entry the manifest no longer has "
            "(entries deleted)") in findings
