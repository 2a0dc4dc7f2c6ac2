"""The reader's empty schema files: made once per schema version in the user's cache folder (real
Parquet, real DuckDB), a per-process temporary folder when that cannot be written."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from ingest.backfill import land_events
from lake.arrow_format import empty_table
from lake.reader import TABLES, _publish, open_lake, schema_files, schema_fingerprint
from schemas.examples import example_event


@pytest.fixture()
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    schema_files.cache_clear()
    yield tmp_path / "cache"
    schema_files.cache_clear()


def test_schema_files_are_kept_per_schema_version(cache_home: Path) -> None:
    paths = schema_files()
    folder = cache_home / "aftershock" / "schemas" / schema_fingerprint()
    assert paths == {t: str(folder / f"{t}.parquet") for t in TABLES}
    for table, path in paths.items():
        assert pq.read_schema(path).equals(empty_table(table).schema)
    assert sorted(p.name for p in folder.parent.iterdir()) == [folder.name]  # no staging left


def test_a_second_process_finds_them_and_a_lost_race_is_harmless(cache_home: Path) -> None:
    first = schema_files()
    written = {p: Path(p).stat().st_mtime_ns for p in first.values()}
    schema_files.cache_clear()
    assert schema_files() == first
    folder = Path(first["change"]).parent
    assert _publish(folder) == first  # another process published first: its files are kept
    assert {p: Path(p).stat().st_mtime_ns for p in first.values()} == written
    assert sorted(p.name for p in folder.parent.iterdir()) == [folder.name]


def test_an_unwritable_cache_falls_back_to_a_temporary_folder(
        cache_home: Path, tmp_path: Path) -> None:
    cache_home.write_text("not a folder")
    paths = schema_files()
    assert not paths["change"].startswith(str(cache_home))
    land_events(tmp_path / "lake", [example_event("change", event_id="e1")])
    con = open_lake(tmp_path / "lake")
    assert con.execute("SELECT event_id FROM change").fetchall() == [("e1",)]
    assert con.execute("SELECT count(*) FROM gate_decision").fetchone() == (0,)


def test_the_fingerprint_is_stable() -> None:
    assert schema_fingerprint() == schema_fingerprint()
    assert len(schema_fingerprint()) == 16
