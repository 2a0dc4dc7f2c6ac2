"""Tamper evidence an attacker with write access to the lake cannot defeat: the manifest is
compared with the signed heads kept outside it (real files: lakes, witness files, keys)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from aftershock.cli import main
from aftershock.errors import ConfigError, ExitCode
from aftershock.settings import EVENT_TYPES, IngestSettings, LakeSettings
from ingest.backfill import land_events
from lake import keys
from lake.compact import compact_lake
from lake.manifest import Manifest, entry_hash, snapshot
from lake.verify import verify_lake
from lake.witness import Witness, payload
from schemas.examples import example_event

REPO = Path(__file__).resolve().parents[2]


def _land(lake: Path, batch: int, count: int = 20) -> None:
    types = len(EVENT_TYPES)
    land_events(lake, [example_event(EVENT_TYPES[i % types], event_id=f"b{batch}-{i}") for i in range(count)])


@pytest.fixture()
def lake(tmp_path: Path) -> Path:
    path = tmp_path / "lake"
    for batch in range(4):
        _land(path, batch)
    return path


@pytest.fixture()
def signed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A key pair made by the command line, configured for writers and verify."""
    assert main(["lake", "keygen", str(tmp_path / "keys"), "--lake", str(tmp_path / "lake")]) == 0
    monkeypatch.setenv("AFTERSHOCK_LAKE__SIGNING_KEY", str(tmp_path / "keys" / keys.PRIVATE_NAME))
    public = (tmp_path / "keys" / keys.PUBLIC_NAME).read_text().strip()
    monkeypatch.setenv("AFTERSHOCK_LAKE__VERIFY_KEY", public)
    return public


def _lines(lake: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in Manifest(lake).path.read_text().splitlines()]


def _write_lines(lake: Path, entries: list[dict[str, object]]) -> None:
    Manifest(lake).path.write_text("".join(json.dumps(e) + "\n" for e in entries))


def _findings(lake: Path) -> list[str]:
    return verify_lake(lake).findings


def test_an_untouched_lake_is_anchored_and_verifies(lake: Path) -> None:
    report = verify_lake(lake)
    assert report.findings == [] and report.entries == 4
    witness = Witness(LakeSettings().anchor_dir, lake)
    phases = [r["phase"] for _, r in witness.records(snapshot(lake).lake_id or "") if r]
    assert phases == ["intent", "head"] * 4
    assert any("heads not checked against a public key" in n for n in report.notes)


def test_deleting_the_last_entry_and_its_files_is_found(lake: Path) -> None:
    entries = _lines(lake)
    for ref in entries[-1]["files"]:  # type: ignore[attr-defined]
        (lake / ref["path"]).unlink()
    _write_lines(lake, entries[:-1])
    findings = _findings(lake)
    assert len(findings) == 1 and "manifest ends at entry 3 but entry 4 was anchored" in findings[0]
    assert main(["verify", "--lake", str(lake)]) == ExitCode.INTEGRITY


def test_restoring_an_older_copy_of_the_lake_is_found(lake: Path, tmp_path: Path) -> None:
    older = tmp_path / "older"
    shutil.copytree(lake, older)
    _land(lake, 10)
    _land(lake, 11)
    shutil.rmtree(lake)
    shutil.copytree(older, lake)
    findings = _findings(lake)
    assert findings and "manifest ends at entry 4 but entry 6 was anchored" in findings[0]
    assert "older copy" in findings[0]


def _edit_a_row_and_recompute(lake: Path) -> None:
    """Change one row's field, then fix the file hash and recompute every hash after it."""
    entries = _lines(lake)
    ref = next(r for r in entries[1]["files"] if r["table"] == "deployment")  # type: ignore[attr-defined]
    path = lake / ref["path"]
    table = pq.read_table(path)
    column = table.schema.get_field_index("service_name")
    edited = pc.if_else(pc.equal(pc.cast(table["_offset"], "int64"), table["_offset"][0]),
                        "forged-service", table["service_name"])
    pq.write_table(table.set_column(column, "service_name", edited), path, compression="zstd")
    ref["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    ref["bytes"] = path.stat().st_size
    prev = entries[0]["hash"]
    for entry in entries[1:]:
        entry["prev"] = prev
        entry["hash"] = prev = entry_hash(entry)
    _write_lines(lake, entries)


def test_an_edited_row_with_the_chain_recomputed_is_found(lake: Path) -> None:
    _edit_a_row_and_recompute(lake)
    findings = _findings(lake)
    assert len(findings) == 1
    assert "manifest entry 2 differs from its head" in findings[0] and "chain recomputed" in findings[0]


def test_a_forged_head_without_the_key_is_found(tmp_path: Path, signed: str) -> None:
    lake = tmp_path / "lake"
    for batch in range(3):
        _land(lake, batch)
    assert verify_lake(lake).findings == [] and not verify_lake(lake).notes
    _edit_a_row_and_recompute(lake)
    # the attacker signs heads of the recomputed entries with a key of their own
    forger = Witness(LakeSettings().anchor_dir, lake, keys.Ed25519PrivateKey.generate())
    state = snapshot(lake)
    for entry in _lines(lake):
        forger.write("head", str(state.lake_id), int(entry["seq"]), str(entry["hash"]))  # type: ignore[call-overload]
    findings = _findings(lake)
    assert sum("is not signed by the verify key" in f for f in findings) == 3
    assert any("manifest entry 2 differs from its head" in f for f in findings)


def test_a_head_signed_by_the_key_checks_and_an_altered_one_does_not(tmp_path: Path, signed: str) -> None:
    lake = tmp_path / "lake"
    _land(lake, 0)
    witness = Witness(LakeSettings().anchor_dir, lake)
    records = witness.records(str(snapshot(lake).lake_id))
    (head,) = [r for _, r in records if r and r["phase"] == "head"]
    public = keys.load_verify_key(signed)
    assert keys.signed_by(public, payload(head), head["sig"])
    assert not keys.signed_by(public, payload(head | {"seq": 2}), head["sig"])


def test_a_signing_key_or_witness_inside_the_lake_is_refused(lake: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AFTERSHOCK_LAKE__ANCHOR_DIR", str(lake / "anchors"))
    with pytest.raises(ConfigError, match="inside the lake"):
        _land(lake, 5)
    assert main(["lake", "keygen", str(lake / "keys"), "--lake", str(lake)]) == ExitCode.CONFIG
    assert not (lake / "keys").exists()


def test_an_entry_appended_without_a_writer_is_not_anchored(lake: Path) -> None:
    entries = _lines(lake)
    forged = dict(entries[-1], seq=5, prev=entries[-1]["hash"], start_offset=80, next_offset=100)
    forged["hash"] = entry_hash(forged)
    _write_lines(lake, [*entries, forged])
    assert any("manifest entries 5..5 are not anchored" in f for f in _findings(lake))


def _killed_at(point: str, *command: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AFTERSHOCK_")}
    return subprocess.run([sys.executable, "-m", "aftershock", *command],
                          env=env | {"AFTERSHOCK_CRASH_POINT": f"{point}:1"},
                          capture_output=True, text=True, check=False, cwd=REPO)


def test_a_writer_killed_between_the_entry_and_its_head_is_completed_by_the_next(
        lake: Path, tmp_path: Path) -> None:
    source = tmp_path / "events.ndjson"
    source.write_text(example_event("change", event_id="late").model_dump_json() + "\n")
    killed = _killed_at("before_head", "ingest", "backfill", str(source), "--lake", str(lake))
    assert killed.returncode == -9, killed.stderr
    assert snapshot(lake).seq == 5  # committed, not anchored
    report = verify_lake(lake)
    assert report.findings == [] and any("entry 5 was committed by a writer that stopped" in n
                                         for n in report.notes)
    said = subprocess.run([sys.executable, "-m", "aftershock", "ingest", "backfill", str(source),
                           "--lake", str(lake)], capture_output=True, text=True, check=True, cwd=REPO)
    assert "manifest entry 5 was committed by a writer that stopped before anchoring it" in said.stderr
    report = verify_lake(lake)
    assert report.findings == [] and not any("stopped" in n for n in report.notes)
    file = Witness(LakeSettings().anchor_dir, lake).file(str(snapshot(lake).lake_id))
    tail = [json.loads(line) for line in file.read_bytes().splitlines()][-4:]
    assert [(r["phase"], r["seq"]) for r in tail] == [("intent", 5), ("head", 5), ("intent", 6), ("head", 6)]


def test_a_writer_killed_before_writing_its_announced_entry_is_recorded_void(lake: Path) -> None:
    manifest = Manifest(lake)
    state = manifest.refresh()
    manifest.witness.write("intent", str(state.lake_id), 5, "f" * 64)  # then killed
    assert any("entry 5 was announced" in n for n in verify_lake(lake).notes)
    _land(lake, 7)
    report = verify_lake(lake)
    assert report.findings == [] and not any("announced" in n for n in report.notes)


def test_compaction_killed_between_publish_and_commit_is_cleaned_not_reported(lake: Path) -> None:
    killed = _killed_at("compact_after_publish", "compact", "--lake", str(lake))
    assert killed.returncode == -9, killed.stderr
    leftovers = list(lake.glob("event_type=*/date=*/compacted+*.parquet"))
    assert leftovers and snapshot(lake).seq == 4  # published, never committed
    report = verify_lake(lake)
    assert report.findings == []
    assert sum("interrupted compaction" in n for n in report.notes) == len(leftovers)
    said: list[str] = []
    result = compact_lake(lake, IngestSettings(), said.append)
    assert result.groups > 0 and not any(p.exists() for p in leftovers)
    assert sum("stopped before committing it" in s for s in said) == len(leftovers)
    report = verify_lake(lake)
    assert report.findings == [] and not any("compaction" in n for n in report.notes)


def test_a_file_nobody_committed_is_still_reported(lake: Path) -> None:
    victim = next(lake.glob("event_type=change/date=*/*.parquet"))
    for name in ("compacted+0123456789ab+0.parquet", "compacted+evil+0.parquet"):
        shutil.copy(victim, victim.with_name(name))
    report = verify_lake(lake)
    assert report.findings == [f"{victim.parent.relative_to(lake)}/compacted+evil+0.parquet: "
                               "file added (not named in the manifest)"]


def test_a_worker_start_removes_compaction_leftovers_unless_a_compaction_runs(lake: Path) -> None:
    assert _killed_at("compact_after_publish", "compact", "--lake", str(lake)).returncode == -9
    leftovers = list(lake.glob("event_type=*/date=*/compacted+*.parquet"))
    said: list[str] = []
    with Manifest(lake).compacting():  # another process compacting now
        assert Manifest(lake).remove_compaction_leftovers_if_idle(said.append) == 0
    assert all(p.exists() for p in leftovers) and said == []
    assert Manifest(lake).remove_compaction_leftovers_if_idle(said.append) == len(leftovers) > 0
    assert not any(p.exists() for p in leftovers) and len(said) == len(leftovers)
    assert verify_lake(lake).notes and not verify_lake(lake).findings


def _before_anchoring(lake: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the anchor folder at an empty one: the lake now looks made before anchoring."""
    fresh = tmp_path / "fresh-anchors"
    monkeypatch.setenv("AFTERSHOCK_LAKE__ANCHOR_DIR", str(fresh))
    return fresh


def test_adopt_anchors_a_lake_made_before_anchoring(lake: Path, tmp_path: Path, signed: str,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    fresh = _before_anchoring(lake, tmp_path, monkeypatch)
    assert any("entries 1..4 are not anchored" in f for f in _findings(lake))
    assert main(["lake", "adopt", "--lake", str(lake)]) == ExitCode.OK
    files = len(list(lake.rglob("*.parquet")))
    assert f"entry 4 ({files} files checked) anchored, signed" in capsys.readouterr().out
    assert _findings(lake) == []
    records = [r for _, r in Witness(fresh, lake).records(snapshot(lake).lake_id or "") if r]
    assert [(r["phase"], r["seq"]) for r in records] == [("head", 4)]
    _land(lake, 9)  # a writer after adoption anchors as usual
    assert _findings(lake) == []


def test_adopt_refuses_a_lake_already_anchored(lake: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lake", "adopt", "--lake", str(lake)]) == ExitCode.LAKE
    assert "already anchored" in capsys.readouterr().err


def test_adopt_refuses_a_lake_that_fails_its_own_checks(lake: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    fresh = _before_anchoring(lake, tmp_path, monkeypatch)
    victim = sorted(lake.rglob("*.parquet"))[0]
    victim.write_bytes(victim.read_bytes()[:-10] + b"0123456789")
    assert main(["lake", "adopt", "--lake", str(lake)]) == ExitCode.INTEGRITY
    err = capsys.readouterr().err
    assert "fails its own checks" in err and "file edited" in err and "\n" not in err.strip()
    assert not fresh.exists() or not list(fresh.glob("*.jsonl"))
