"""Compaction of a lake through the object manifest, on a local folder and a real S3 API."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from aftershock.settings import IngestSettings, LakeSettings
from lake.object_compact import compact_object_lake
from lake.object_manifest import ObjectManifest
from lake.object_reader import open_object_lake
from lake.object_verify import verify_object_lake
from lake.object_witness import ObjectWitness
from lake.object_writer import ObjectLakeWriter
from lake.storage import S3Store, Store
from lake.writer import Batch
from schemas.examples import example_event
from tests.ingest.kafka_data import BASE

SETTINGS = IngestSettings(compact_min_files=2)


def _land(store: Store, witness: ObjectWitness, batches: int) -> None:
    writer = ObjectLakeWriter(store, SETTINGS, witness)
    for n in range(batches):
        # every batch repeats event e0: compaction keeps one copy
        events = [example_event("change", event_id=f"e{0 if i == 0 else n * 10 + i}",
                                occurred_at=(BASE - timedelta(minutes=i)).isoformat()) for i in range(10)]
        writer.land(Batch("audit.changes", 0, n * 10, n * 10 + 10, events, list(range(n * 10, n * 10 + 10))))


def _rows(store: Store) -> list[tuple[object, ...]]:
    return open_object_lake(store).execute("SELECT event_id, occurred_at FROM change ORDER BY ALL").fetchall()


@pytest.fixture
def witness(store: Store, tmp_path: object) -> ObjectWitness:
    from pathlib import Path

    from lake.storage import LocalStore

    anchors = S3Store(store.bucket, "anchors") if isinstance(store, S3Store) else LocalStore(
        Path(str(tmp_path)) / "anchors")
    return ObjectWitness(anchors, store.url)


def test_compaction_keeps_the_rows_and_verify_passes(store: Store, witness: ObjectWitness) -> None:
    _land(store, witness, 4)
    before = _rows(store)
    result = compact_object_lake(ObjectManifest(store, witness), SETTINGS)
    assert (result.groups, result.files_before, result.files_after, result.duplicates) == (1, 4, 1, 3)
    assert _rows(store) == before and len(before) == 37
    live = ObjectManifest(store).refresh().live
    assert len(live) == 1 and len(store.keys("event_type=")) == 5  # replaced objects kept
    assert verify_object_lake(store, LakeSettings(), witness).findings == []


def test_a_reader_opened_before_a_compaction_reads_every_row_after_it(
        store: Store, witness: ObjectWitness) -> None:
    _land(store, witness, 4)
    reader = open_object_lake(store)  # views on the four landed objects, none read yet
    compact_object_lake(ObjectManifest(store, witness), SETTINGS)
    rows = reader.execute("SELECT event_id, occurred_at FROM change ORDER BY ALL").fetchall()
    assert len(rows) == 37 and rows == _rows(store)


def test_replaced_objects_are_swept_only_after_the_grace_period(
        store: Store, witness: ObjectWitness) -> None:
    _land(store, witness, 4)
    before, replaced = _rows(store), sorted(ObjectManifest(store).refresh().live)
    compact_object_lake(ObjectManifest(store, witness), SETTINGS)
    manifest, said = ObjectManifest(store), []
    # every orphan counts as old (negative orphan grace): replaced objects are still kept
    assert manifest.sweep_orphans(said.append, grace=timedelta(seconds=-60)) == 0
    later = datetime.now(UTC) + timedelta(minutes=59)
    assert manifest.sweep_orphans(said.append, now=later) == 0 and said == []
    assert set(replaced) < set(store.keys("event_type="))

    after = datetime.now(UTC) + timedelta(hours=1, minutes=1)
    assert manifest.sweep_orphans(said.append, now=after) == 4
    assert [line.split(":")[0] for line in said] == [f"removed {key}" for key in replaced]
    assert all(": replaced by entry 5 committed at " in line for line in said)
    assert store.keys("event_type=") == sorted(manifest.refresh().live)
    assert _rows(store) == before
    assert verify_object_lake(store, LakeSettings(), witness).findings == []
    assert manifest.sweep_orphans(said.append, now=after) == 0  # nothing left: idempotent


def test_the_replaced_grace_is_the_manifests_setting(store: Store, witness: ObjectWitness) -> None:
    _land(store, witness, 3)
    compact_object_lake(ObjectManifest(store, witness), SETTINGS)
    assert ObjectManifest(store, replaced_grace=timedelta(hours=2)).sweep_orphans(
        print, now=datetime.now(UTC) + timedelta(hours=1, minutes=30)) == 0
    assert ObjectManifest(store, replaced_grace=timedelta(0)).sweep_orphans(print) == 3
    assert len(store.keys("event_type=")) == 1


def _letting_other_commit_first(store: Store, other: Callable[[], object]) -> Store:
    """A second handle on the same real store (same class, so it is read the same way) whose
    first create lets ``other`` run first."""
    racing = copy.copy(store)
    real_create, pending = racing.create, [other]

    def create(key: str, data: bytes) -> bool:
        if pending:
            pending.pop()()
        return real_create(key, data)

    racing.create = create  # type: ignore[method-assign]
    return racing


def test_two_compactions_racing_on_one_group_one_wins_the_other_deletes_its_objects(
        store: Store, witness: ObjectWitness) -> None:
    _land(store, witness, 3)
    winner = ObjectManifest(store, witness)
    racing = _letting_other_commit_first(store, lambda: compact_object_lake(winner, SETTINGS))
    lost = compact_object_lake(ObjectManifest(racing, witness), SETTINGS)
    assert (lost.groups, lost.files_before, lost.files_after) == (1, 0, 0)
    live = ObjectManifest(store).refresh().live
    assert len(live) == 1 and len(store.keys("event_type=")) == 4  # the winner's inputs are kept
    assert verify_object_lake(store, LakeSettings(), witness).findings == []


def test_aftershock_compact_on_a_bucket(bucket: str) -> None:
    store = S3Store(bucket, "lake")
    witness = ObjectWitness(S3Store(bucket, "anchors"), store.url)
    _land(store, witness, 3)
    env = dict(os.environ) | {"AFTERSHOCK_LAKE__ANCHOR_STORE": f"s3://{bucket}/anchors",
                              "AFTERSHOCK_INGEST__COMPACT_MIN_FILES": "2"}
    done = subprocess.run([sys.executable, "-m", "aftershock", "compact", "--lake", store.url],
                          capture_output=True, text=True, env=env, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert "compact: 3 files -> 1 in 1 groups, 2 duplicate rows dropped" in done.stderr
    assert "removed" not in done.stderr and len(store.keys("event_type=")) == 4
    assert verify_object_lake(store, LakeSettings(), witness).findings == []
    done = subprocess.run([sys.executable, "-m", "aftershock", "compact", "--lake", store.url],
                          capture_output=True, text=True, env=env | {
                              "AFTERSHOCK_LAKE__REPLACED_GRACE_S": "0"},
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count(": replaced by entry 4 committed at ") == 3
    assert store.keys("event_type=") == sorted(ObjectManifest(store).refresh().live)
    assert verify_object_lake(store, LakeSettings(), witness).findings == []
