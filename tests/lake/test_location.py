"""One ``--lake`` for every command: readers refuse a missing folder with exit 5, writers create it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from aftershock.errors import ExitCode, LakeError
from aftershock.settings import Settings
from lake.location import resolve_lake

READERS = (
    ["report"],
    ["postmortem", "inc-1"],
    ["query", "select 1"],
    ["rules", "tune", "--split", "2026-01-01", "--out", "tuned.toml"],
    ["verify"],
    ["compact"],
)


def test_default_is_the_setting(tmp_path: Path) -> None:
    settings = Settings(lake={"dir": tmp_path})  # type: ignore[arg-type]
    assert resolve_lake(None, settings) == tmp_path


def test_reader_refuses_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(LakeError, match="does not exist"):
        resolve_lake(tmp_path / "nope", Settings())


def test_writer_creates_the_folder(tmp_path: Path) -> None:
    lake = resolve_lake(tmp_path / "a" / "b", Settings(), create=True)
    assert lake.is_dir()


def test_writer_names_a_folder_it_cannot_create(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(LakeError, match="cannot create lake folder"):
        resolve_lake(tmp_path / "file" / "lake", Settings(), create=True)


@pytest.mark.parametrize("argv", READERS, ids=lambda a: a[0] + ("-" + a[1] if a[0] == "rules" else ""))
def test_every_reading_command_exits_5_on_a_missing_lake(argv: list[str], tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    done = subprocess.run([sys.executable, "-m", "aftershock", *argv, "--lake", str(missing)],
                          capture_output=True, text=True, cwd=tmp_path, env=dict(os.environ))
    assert done.returncode == ExitCode.LAKE, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("aftershock: lake folder") and str(missing) in lines[0]
    assert not missing.exists()


def test_import_into_a_new_lake_creates_it(tmp_path: Path) -> None:
    from schemas.examples import example_event

    events = tmp_path / "events.ndjson"
    events.write_text(example_event("change").model_dump_json() + "\n")
    lake = tmp_path / "new" / "lake"
    done = subprocess.run([sys.executable, "-m", "aftershock", "ingest", "backfill", str(events),
                           "--lake", str(lake)], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == ExitCode.OK, done.stderr
    assert (lake / "_manifest" / "manifest.jsonl").is_file()


def test_the_setting_takes_an_s3_url_for_commands_that_read_object_storage(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from aftershock.settings import load_settings
    from lake.location import resolve_location

    monkeypatch.setenv("AFTERSHOCK_LAKE__DIR", "s3://bucket/some//prefix")
    settings = load_settings()
    assert resolve_location(None, settings) == "s3://bucket/some//prefix"  # not folded like a Path
    with pytest.raises(LakeError, match="^AFTERSHOCK_LAKE__DIR s3://bucket/some//prefix: this command"):
        resolve_lake(None, settings)
    monkeypatch.setenv("AFTERSHOCK_LAKE__DIR", "s3-lake")
    assert load_settings().lake.dir == Path("s3-lake")


def test_an_object_lake_derives_into_a_cache_folder_per_lake(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from aftershock.settings import LakeSettings
    from lake.readers import local_dir

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    one, other = local_dir("s3://b/lake1", LakeSettings()), local_dir("s3://b/lake2", LakeSettings())
    assert one.parent == other.parent == tmp_path / "xdg" / "aftershock" / "lakes" / "b" and one != other
    assert local_dir("s3://b/lake1", LakeSettings(cache_dir=tmp_path / "c")).parent == tmp_path / "c" / "b"
    assert local_dir(tmp_path / "folder") == tmp_path / "folder"
