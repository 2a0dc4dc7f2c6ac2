"""Landing one batch: files per (type, date), the commit, and the stale-writer cases."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from aftershock.settings import IngestSettings
from lake.files import STAGING, ManifestConflict
from lake.manifest import snapshot
from lake.reader import open_lake
from lake.verify import verify_lake
from lake.writer import Batch, LakeWriter
from schemas.examples import example_event
from tests.ingest.kafka_data import BASE


def _batch(start: int, count: int, prefix: str = "e") -> Batch:
    events = [example_event("change", event_id=f"{prefix}{i}",
                            occurred_at=(BASE - timedelta(days=i % 2)).isoformat()) for i in range(count)]
    return Batch("audit.changes", 1, start, start + count, events, list(range(start, start + count)))


def test_a_batch_lands_in_one_entry_with_a_file_per_day(tmp_path: Path) -> None:
    landed = LakeWriter(tmp_path, IngestSettings()).land(_batch(0, 10))
    assert [f["path"].split("/")[1] for f in landed.entry["files"]] == ["date=2026-11-01", "date=2026-11-02"]
    assert all(f["path"].endswith("audit.changes+1+00000000000000000000+00000000000000000009.parquet")
               for f in landed.entry["files"])
    assert snapshot(tmp_path).positions == {("audit.changes", 1): 10}


def test_a_stale_writer_loses_and_leaves_nothing_behind(tmp_path: Path) -> None:
    stale, owner = LakeWriter(tmp_path, IngestSettings()), LakeWriter(tmp_path, IngestSettings())
    stale.land(_batch(0, 4))
    owner.land(_batch(4, 4, prefix="owner"))  # the new owner committed [4, 8) first
    with pytest.raises(ManifestConflict, match="starts at offset 4 but the manifest ends at 8"):
        stale.land(_batch(4, 6, prefix="stale"))
    assert verify_lake(tmp_path).findings == []
    ids = {r[0] for r in open_lake(tmp_path).execute("SELECT event_id FROM change").fetchall()}
    assert not any(i.startswith("stale") for i in ids)


def test_new_owner_removes_uncommitted_leftovers_of_its_partitions_only(tmp_path: Path) -> None:
    lander = LakeWriter(tmp_path, IngestSettings())
    lander.land(_batch(0, 4))
    leftover = tmp_path / "event_type=change/date=2026-11-02/audit.changes+1+00000000000000000004+x.parquet"
    other = tmp_path / "event_type=change/date=2026-11-02/audit.changes+2+00000000000000000000+x.parquet"
    staged = tmp_path / STAGING / "123-audit.changes+1+00000000000000000004+x.parquet.tmp"
    for path in (leftover, other, staged):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"partial")
    assert lander.remove_orphans([("audit.changes", 1)]) == 2
    assert not leftover.exists() and not staged.exists() and other.exists()
    assert len(snapshot(tmp_path).live) == 2  # committed files untouched
