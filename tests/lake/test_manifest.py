"""The manifest: hash chain, per-partition contiguity, torn last lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aftershock.errors import LakeError
from lake.files import WrittenFile, publish
from lake.manifest import Manifest, ManifestConflict, entry_hash, snapshot


def _file(lake: Path, name: str) -> WrittenFile:
    return publish(lake, f"event_type=change/date=2026-11-02/{name}", b"data-" + name.encode(), 1, "change")


def test_entries_chain_and_partitions_must_be_contiguous(tmp_path: Path) -> None:
    manifest = Manifest(tmp_path)
    with manifest.locked():
        first = manifest.append_add(("t", 0), 0, 10, [_file(tmp_path, "a")])
        second = manifest.append_add(("t", 0), 10, 20, [_file(tmp_path, "b")])
        manifest.append_add(("t", 1), 5, 6, [_file(tmp_path, "c")])
        with pytest.raises(ManifestConflict, match=r"t\[0\]: batch starts at offset 10"):
            manifest.append_add(("t", 0), 10, 30, [_file(tmp_path, "d")])
    assert second["prev"] == first["hash"] == entry_hash(first)
    state = snapshot(tmp_path)
    assert state.positions == {("t", 0): 20, ("t", 1): 6}
    assert sorted(state.live) == sorted(f"event_type=change/date=2026-11-02/{n}" for n in "abc")


def test_a_second_writer_sees_the_first_writers_entries(tmp_path: Path) -> None:
    one, two = Manifest(tmp_path), Manifest(tmp_path)
    with one.locked():
        one.append_add(("t", 0), 0, 10, [_file(tmp_path, "a")])
    with two.locked(), pytest.raises(ManifestConflict):
        two.append_add(("t", 0), 0, 10, [_file(tmp_path, "b")])


def test_torn_last_line_is_invisible_then_truncated(tmp_path: Path) -> None:
    manifest = Manifest(tmp_path)
    with manifest.locked():
        manifest.append_add(("t", 0), 0, 10, [_file(tmp_path, "a")])
    with open(manifest.path, "ab") as handle:
        handle.write(b'{"seq": 2, "op": "ad')
    assert snapshot(tmp_path).seq == 1
    with Manifest(tmp_path).locked() as state:
        assert state.seq == 1
    assert manifest.path.read_bytes().endswith(b"}\n")


def test_an_edited_entry_breaks_the_chain(tmp_path: Path) -> None:
    manifest = Manifest(tmp_path)
    with manifest.locked():
        manifest.append_add(("t", 0), 0, 10, [_file(tmp_path, "a")])
    entry = json.loads(manifest.path.read_text())
    entry["next_offset"] = 11
    manifest.path.write_text(json.dumps(entry) + "\n")
    with pytest.raises(LakeError, match="hash chain broken"):
        snapshot(tmp_path)


def test_files_are_never_overwritten(tmp_path: Path) -> None:
    _file(tmp_path, "a")
    with pytest.raises(LakeError, match="never overwritten"):
        _file(tmp_path, "a")
