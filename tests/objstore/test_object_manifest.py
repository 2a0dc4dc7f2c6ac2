"""The create-only manifest commit protocol, on a local folder and on a real S3 API."""

from __future__ import annotations

import json
import multiprocessing
from typing import Any

import pytest

from aftershock.errors import LakeError
from lake.files import WrittenFile
from lake.manifest import GENESIS, ManifestConflict, entry_hash
from lake.object_manifest import ObjectManifest, entry_key
from lake.storage import Store, open_store


def ref(name: str) -> WrittenFile:
    return WrittenFile(f"event_type=change/date=2026-12-01/{name}.parquet", "0" * 64, 1, 1, "change")


class LetOtherCommitFirst:
    """A real store whose next ``create`` first lets another writer commit (forcing two writers
    onto the same sequence number); every call goes to the real store."""

    def __init__(self, real: Store, other: Any) -> None:
        self.real, self.other, self.creates = real, other, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def create(self, key: str, data: bytes) -> bool:
        self.creates += 1
        if self.other is not None:
            other, self.other = self.other, None
            other()
        return bool(self.real.create(key, data))


def entries(store: Store) -> list[dict[str, Any]]:
    return [json.loads(store.read(k)) for k in store.keys("_manifest/entries/")]


def test_commits_are_chained_entry_objects_like_manifest_lines(store: Store) -> None:
    manifest = ObjectManifest(store)
    manifest.append_add(("t", 0), 0, 10, [ref("a")])
    manifest.append_add(("t", 0), 10, 20, [ref("b")])
    found = entries(store)
    assert [e["seq"] for e in found] == [1, 2]
    assert found[0]["prev"] == GENESIS and found[1]["prev"] == found[0]["hash"]
    assert all(e["hash"] == entry_hash(e) for e in found)
    assert store.read(entry_key(2)).endswith(b"\n")
    fresh = ObjectManifest(store).refresh()
    assert fresh.seq == 2 and fresh.positions == {("t", 0): 20} and len(fresh.live) == 2


def test_two_writers_forced_onto_one_seq_one_wins_the_other_retries(store: Store) -> None:
    winner = ObjectManifest(store)
    winner.append_add(("t", 0), 0, 10, [ref("a")])
    racing = LetOtherCommitFirst(store, lambda: winner.append_add(("t", 1), 0, 5, [ref("b")]))
    loser = ObjectManifest(racing)
    loser.refresh()  # both have read entry 1; both go for entry 2
    entry = loser.append_add(("t", 2), 0, 7, [ref("c")])
    assert loser.races == 1 and racing.creates == 2
    assert entry["seq"] == 3
    found = entries(store)
    assert [(e["seq"], e["partition"]) for e in found] == [(1, 0), (2, 1), (3, 2)]
    assert found[2]["prev"] == found[1]["hash"]


def test_a_lost_race_for_the_same_range_drops_the_batch(store: Store) -> None:
    first = ObjectManifest(store)
    racing = LetOtherCommitFirst(store, lambda: first.append_add(("t", 0), 0, 10, [ref("a")]))
    second = ObjectManifest(racing)
    second.refresh()
    with pytest.raises(ManifestConflict, match=r"t\[0\]: batch starts at offset 0 but the manifest ends "
                       "at 10"):
        second.append_add(("t", 0), 0, 10, [ref("a2")])
    assert [e["next_offset"] for e in entries(store)] == [10]


def test_a_compaction_racing_another_one_is_refused(store: Store) -> None:
    manifest = ObjectManifest(store)
    manifest.append_add(("t", 0), 0, 10, [ref("a")])
    other = ObjectManifest(store)
    racing = LetOtherCommitFirst(store, lambda: other.append_replace([ref("a").path], [ref("c1")]))
    late = ObjectManifest(racing)
    late.refresh()
    with pytest.raises(ManifestConflict, match="no longer live"):
        late.append_replace([ref("a").path], [ref("c2")])


def test_a_deleted_entry_object_is_a_clear_error(store: Store) -> None:
    manifest = ObjectManifest(store)
    for n in range(3):
        manifest.append_add(("t", 0), n * 10, n * 10 + 10, [ref(str(n))])
    store.delete(entry_key(2))
    with pytest.raises(LakeError, match="manifest entry 2 is missing"):
        ObjectManifest(store).refresh()


def _commit_many(url: str, endpoint: str | None, partition: int, batches: int) -> int:
    from aftershock.settings import LakeSettings

    manifest = ObjectManifest(open_store(url, LakeSettings(s3_endpoint_url=endpoint)))
    for n in range(batches):
        manifest.append_add(("t", partition), n * 10, n * 10 + 10, [ref(f"{partition}-{n}")])
    return manifest.races


def _same_ranges(url: str, endpoint: str | None, batches: int) -> int:
    from aftershock.settings import LakeSettings

    manifest = ObjectManifest(open_store(url, LakeSettings(s3_endpoint_url=endpoint)))
    landed = 0
    for n in range(batches):
        try:
            manifest.append_add(("t", 0), n * 10, n * 10 + 10, [ref(f"{id(manifest)}-{n}")])
            landed += 1
        except ManifestConflict:
            pass
    return landed


@pytest.fixture
def lake_url(store: Store, s3_env: str) -> tuple[str, str]:
    return store.url, s3_env


def test_four_processes_commit_concurrently_without_loss(lake_url: tuple[str, str]) -> None:
    url, endpoint = lake_url
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        races = pool.starmap(_commit_many, [(url, endpoint, p, 25) for p in range(4)])
    state = ObjectManifest(open_store(url)).refresh()
    assert state.seq == 100
    assert state.positions == {("t", p): 250 for p in range(4)}
    assert len(state.live) == 100
    print(f"lost races: {races}")


def test_processes_landing_the_same_ranges_land_each_once(lake_url: tuple[str, str]) -> None:
    url, endpoint = lake_url
    with multiprocessing.get_context("spawn").Pool(3) as pool:
        landed = pool.starmap(_same_ranges, [(url, endpoint, 30)] * 3)
    state = ObjectManifest(open_store(url)).refresh()
    assert sum(landed) == 30 == state.seq
    assert state.positions == {("t", 0): 300}
    starts = [e["start_offset"] for e in entries(open_store(url))]
    assert starts == list(range(0, 300, 10))
