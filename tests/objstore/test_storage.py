"""The storage contract, run against a local folder and a real S3 API on loopback."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aftershock.errors import LakeError
from aftershock.settings import LakeSettings
from lake.storage import LocalStore, S3Store, Store, open_store


def test_put_read_and_overwrite(store: Store) -> None:
    store.put("a/b.bin", b"one")
    assert store.read("a/b.bin") == b"one"
    store.put("a/b.bin", b"two")
    assert store.read("a/b.bin") == b"two"


def test_read_of_a_missing_key_raises_file_not_found(store: Store) -> None:
    with pytest.raises(FileNotFoundError):
        store.read("nothing/here")


def test_create_refuses_an_existing_key_and_keeps_the_first_bytes(store: Store) -> None:
    assert store.create("_manifest/entries/1.json", b"first")
    assert not store.create("_manifest/entries/1.json", b"second")
    assert store.read("_manifest/entries/1.json") == b"first"


def test_concurrent_creates_of_one_key_have_exactly_one_winner(store: Store) -> None:
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def create(n: int) -> None:
        barrier.wait()
        results.append(store.create("race/key", f"writer {n}".encode()))

    threads = [threading.Thread(target=create, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]
    assert store.read("race/key").decode().startswith("writer ")


def test_keys_lists_a_prefix_in_order_and_after_a_key(store: Store) -> None:
    for key in ["m/003", "m/001", "m/002", "other/001", "m2/001"]:
        store.put(key, b"x")
    assert store.keys("m/") == ["m/001", "m/002", "m/003"]
    assert store.keys("m/", after="m/001") == ["m/002", "m/003"]
    assert store.keys("nothing/") == []


def test_keys_lists_more_than_one_page(store: Store) -> None:
    for n in range(1005):  # S3 lists 1000 keys a page
        store.put(f"p/{n:05d}", b"")
    found = store.keys("p/")
    assert len(found) == 1005 and found[0] == "p/00000" and found[-1] == "p/01004"


def test_delete_removes_and_tolerates_absence(store: Store) -> None:
    store.put("d/x", b"1")
    store.delete("d/x")
    store.delete("d/x")
    assert store.keys("d/") == []


def test_modified_is_recent(store: Store) -> None:
    store.put("t/x", b"1")
    assert abs(datetime.now(UTC) - store.modified("t/x")) < timedelta(minutes=5)


def test_open_store_resolves_s3_urls_and_folders(tmp_path: Path, s3_env: str) -> None:
    s3 = open_store("s3://bucket/some/prefix/")
    assert isinstance(s3, S3Store) and s3.uri("k") == "s3://bucket/some/prefix/k"
    assert isinstance(open_store(tmp_path), LocalStore)
    explicit = open_store("s3://b", LakeSettings(s3_endpoint_url=s3_env))
    assert isinstance(explicit, S3Store) and explicit.endpoint_url == s3_env


def test_open_store_refuses_an_url_without_bucket() -> None:
    with pytest.raises(LakeError, match="no bucket name"):
        open_store("s3:///prefix")


def test_a_missing_bucket_is_one_clear_error(s3_env: str) -> None:
    store = S3Store("no-such-bucket-here", "lake")
    with pytest.raises(LakeError, match=r"cannot write 'k' \(NoSuchBucket\)") as caught:
        store.put("k", b"x")
    assert "testing" not in str(caught.value)  # no credential in the message
