"""verify catches tampering; compact keeps every row and the chain (real files in tmp_path)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from aftershock.settings import EVENT_TYPES, IngestSettings
from ingest.backfill import land_events
from lake.compact import compact_lake
from lake.manifest import Manifest, snapshot
from lake.reader import open_lake
from lake.verify import verify_lake
from schemas.examples import example_event
from tests.ingest.kafka_data import BASE


def _lake(tmp_path: Path, batches: int = 4) -> Path:
    for b in range(batches):
        events = [example_event(EVENT_TYPES[i % len(EVENT_TYPES)], event_id=f"b{b}-{i}",
                                occurred_at=(BASE - timedelta(days=i % 2)).isoformat()) for i in range(40)]
        land_events(tmp_path, events)
    land_events(tmp_path, [example_event("agent_action", event_id="b0-0")])  # a replayed duplicate
    return tmp_path


def _manifest_lines(lake: Path) -> list[str]:
    return Manifest(lake).path.read_text().splitlines()


def test_an_untouched_lake_verifies(tmp_path: Path) -> None:
    report = verify_lake(_lake(tmp_path))
    assert report.findings == [] and report.entries == 5 and report.files > 0


def test_flipped_byte_is_an_edited_file(tmp_path: Path) -> None:
    lake = _lake(tmp_path)
    victim = next(lake.glob("event_type=change/date=*/*.parquet"))
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x01
    victim.write_bytes(bytes(data))
    assert [f for f in verify_lake(lake).findings if "file edited" in f and victim.name in f]


def test_deleted_and_added_files_are_reported(tmp_path: Path) -> None:
    lake = _lake(tmp_path)
    victim = next(lake.glob("event_type=incident/date=*/*.parquet"))
    victim.rename(victim.with_name("smuggled.parquet"))
    findings = verify_lake(lake).findings
    assert any("file deleted" in f and victim.name in f for f in findings)
    assert any("file added" in f and "smuggled.parquet" in f for f in findings)


def test_dropped_manifest_line_is_reported(tmp_path: Path) -> None:
    lake = _lake(tmp_path)
    lines = _manifest_lines(lake)
    Manifest(lake).path.write_text("\n".join(lines[:1] + lines[2:]) + "\n")
    findings = verify_lake(lake).findings
    assert any("seq 2..2 missing (deleted)" in f for f in findings)
    assert any("file added" in f for f in findings)


def test_reordered_entries_are_reported(tmp_path: Path) -> None:
    lake = _lake(tmp_path)
    lines = _manifest_lines(lake)
    lines[1], lines[2] = lines[2], lines[1]
    Manifest(lake).path.write_text("\n".join(lines) + "\n")
    assert any("entries reordered" in f for f in verify_lake(lake).findings)


def test_edited_entry_is_reported(tmp_path: Path) -> None:
    lake = _lake(tmp_path)
    lines = _manifest_lines(lake)
    entry = json.loads(lines[0])
    entry["next_offset"] += 1
    lines[0] = json.dumps(entry)
    Manifest(lake).path.write_text("\n".join(lines) + "\n")
    assert any("entry edited" in f for f in verify_lake(lake).findings)


def test_verify_command_exits_6_on_findings(tmp_path: Path) -> None:
    lake = _lake(tmp_path)
    command = [sys.executable, "-m", "aftershock", "verify", "--lake", str(lake)]
    assert subprocess.run(command, capture_output=True, check=False).returncode == 0
    next(lake.glob("event_type=change/date=*/*.parquet")).unlink()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 6 and "file deleted" in done.stderr


def test_compaction_keeps_rows_drops_duplicates_and_verifies(tmp_path: Path) -> None:
    lake = _lake(tmp_path)
    counts_before = {t: open_lake(lake).execute(f"SELECT count(*) FROM {t}").fetchone() for t in EVENT_TYPES}  # noqa: S608
    files_before = len(snapshot(lake).live)
    result = compact_lake(lake, IngestSettings(compact_min_files=2))
    state = snapshot(lake)
    assert len(state.live) < files_before and result.duplicates == 1
    con = open_lake(lake)
    assert {t: con.execute(f"SELECT count(*) FROM {t}").fetchone() for t in EVENT_TYPES} == counts_before  # noqa: S608
    assert verify_lake(lake).findings == []
    land_events(lake, [example_event("deployment", event_id="after")])  # adds still chain on
    assert verify_lake(lake).findings == []


@pytest.mark.parametrize("bad", [b"{not json", b'{"event_type": "nope"}'])
def test_backfill_command_dead_letters_bad_lines(tmp_path: Path, bad: bytes) -> None:
    source = tmp_path / "events.ndjson"
    good = example_event("change", event_id="ok").model_dump_json().encode()
    source.write_bytes(good + b"\n" + bad + b"\n")
    done = subprocess.run([sys.executable, "-m", "aftershock", "ingest", "backfill", str(source),
                           "--lake", str(tmp_path / "lake")], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 8, done.stderr
    assert f"{source}:2" in done.stderr
    con = open_lake(tmp_path / "lake")
    assert con.execute("SELECT count(*) FROM change").fetchone() == (1,)
    assert con.execute("SELECT raw, _offset FROM dead_letter").fetchall() == [(bad, 2)]
