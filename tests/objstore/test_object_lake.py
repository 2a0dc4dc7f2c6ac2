"""Landing, reading and verifying a lake through the object manifest: on a local folder and on a
real S3 API on loopback, with its witness in a separate anchor store."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from aftershock.settings import IngestSettings, LakeSettings
from lake.keys import generate
from lake.manifest import ManifestConflict
from lake.object_manifest import ObjectManifest, entry_key
from lake.object_reader import open_object_lake
from lake.object_verify import verify_object_lake
from lake.object_witness import ObjectWitness
from lake.object_writer import ObjectLakeWriter
from lake.storage import LocalStore, S3Store, Store
from lake.writer import Batch
from schemas.examples import example_event
from tests.ingest.kafka_data import BASE


def _batch(start: int, count: int, prefix: str = "e", partition: int = 1) -> Batch:
    events = [example_event("change", event_id=f"{prefix}{i}",
                            occurred_at=(BASE - timedelta(days=i % 2)).isoformat()) for i in range(count)]
    return Batch("audit.changes", partition, start, start + count, events, list(range(start, start + count)))


@pytest.fixture
def anchors(store: Store, tmp_path: Path) -> Store:
    """The witness store beside the lake: another bucket prefix on S3, another folder locally."""
    if isinstance(store, S3Store):
        return S3Store(store.bucket, "anchors")
    return LocalStore(tmp_path / "anchors")


def _writer(store: Store, anchors: Store) -> ObjectLakeWriter:
    return ObjectLakeWriter(store, IngestSettings(), ObjectWitness(anchors, store.url))


def _event_ids(store: Store) -> list[str]:
    con = open_object_lake(store)
    return [r[0] for r in con.execute("SELECT event_id FROM change ORDER BY event_id").fetchall()]


def test_landed_batches_read_back_through_duckdb(store: Store, anchors: Store) -> None:
    writer = _writer(store, anchors)
    writer.land(_batch(0, 10))
    writer.land(_batch(10, 5, prefix="f"))
    assert _event_ids(store) == sorted([f"e{i}" for i in range(10)] + [f"f{i}" for i in range(5)])
    files = ObjectManifest(store).refresh().live
    assert len(files) == 4 and all(p.startswith("event_type=change/date=2026-11-0") for p in files)


def test_an_intact_lake_verifies_with_every_entry_anchored(store: Store, anchors: Store) -> None:
    writer = _writer(store, anchors)
    for n in range(3):
        writer.land(_batch(n * 10, 10, prefix=f"b{n}-"))
    report = verify_object_lake(store, LakeSettings(), ObjectWitness(anchors, store.url))
    assert report.findings == [] and report.entries == 3 and report.files == 6


def test_a_stale_writer_loses_and_its_objects_are_deleted(store: Store, anchors: Store) -> None:
    stale, owner = _writer(store, anchors), _writer(store, anchors)
    stale.land(_batch(0, 4))
    owner.land(_batch(4, 4, prefix="owner"))
    with pytest.raises(ManifestConflict, match="starts at offset 4 but the manifest ends at 8"):
        stale.land(_batch(4, 6, prefix="stale"))
    assert not any(i.startswith("stale") for i in _event_ids(store))
    assert len(store.keys("event_type=")) == len(ObjectManifest(store).refresh().live)
    assert verify_object_lake(store, LakeSettings(), ObjectWitness(anchors, store.url)).findings == []


def test_a_tampered_object_is_caught(store: Store, anchors: Store) -> None:
    writer = _writer(store, anchors)
    writer.land(_batch(0, 10))
    victim = sorted(ObjectManifest(store).refresh().live)[0]
    store.put(victim, store.read(victim) + b"x")
    findings = verify_object_lake(store, LakeSettings(), ObjectWitness(anchors, store.url)).findings
    assert findings == [f"{victim}: file edited (SHA-256 differs from the manifest)"]


def test_a_rewritten_entry_with_the_chain_recomputed_is_caught_by_the_anchors(
        store: Store, anchors: Store) -> None:
    writer = _writer(store, anchors)
    writer.land(_batch(0, 10))
    writer.land(_batch(10, 10, prefix="f"))
    from lake.manifest import canonical, entry_hash

    second = json.loads(store.read(entry_key(2)))
    second["next_offset"] = 19
    second["hash"] = entry_hash(second)
    store.put(entry_key(2), canonical(second) + b"\n")
    findings = verify_object_lake(store, LakeSettings(), ObjectWitness(anchors, store.url)).findings
    assert len(findings) == 1 and "manifest entry 2 differs from its head" in findings[0], findings


def test_a_rewritten_first_entry_is_caught_as_another_lake(store: Store, anchors: Store) -> None:
    _writer(store, anchors).land(_batch(0, 10))
    from lake.manifest import canonical, entry_hash

    first = json.loads(store.read(entry_key(1)))
    first["next_offset"] = 9
    first["hash"] = entry_hash(first)
    store.put(entry_key(1), canonical(first) + b"\n")
    findings = verify_object_lake(store, LakeSettings(), ObjectWitness(anchors, store.url)).findings
    assert any("heads of another lake" in f for f in findings), findings
    assert any("manifest entries 1..1 are not anchored" in f for f in findings), findings


def test_deleting_the_last_entry_is_caught_as_a_rollback(store: Store, anchors: Store) -> None:
    writer = _writer(store, anchors)
    writer.land(_batch(0, 10))
    writer.land(_batch(10, 10, prefix="f"))
    store.delete(entry_key(2))
    findings = verify_object_lake(store, LakeSettings(), ObjectWitness(anchors, store.url)).findings
    assert any("manifest ends at entry 1 but entry 2 was anchored" in f for f in findings), findings


def test_an_unsigned_head_is_refused_when_heads_must_be_signed(store: Store, anchors: Store,
                                                               tmp_path: Path) -> None:
    private, public = generate(tmp_path / "keys")
    _writer(store, anchors).land(_batch(0, 10))  # unsigned heads
    findings = verify_object_lake(store, LakeSettings(verify_key=public),
                                  ObjectWitness(anchors, store.url)).findings
    assert any("is not signed by the verify key" in f for f in findings), findings


def test_the_anchor_store_must_be_outside_the_lake(tmp_path: Path) -> None:
    from aftershock.errors import ConfigError

    with pytest.raises(ConfigError, match="inside the lake"):
        ObjectWitness(LocalStore(tmp_path / "lake" / "anchors"), str(tmp_path / "lake"))


def test_orphans_are_removed_only_after_the_grace_period(store: Store, anchors: Store) -> None:
    writer = _writer(store, anchors)
    writer.land(_batch(0, 10))
    store.put("event_type=change/date=2026-11-02/audit.changes+1+x+dead.parquet", b"orphan")
    manifest = ObjectManifest(store)
    said: list[str] = []
    assert manifest.sweep_orphans(said.append) == 0
    assert manifest.remove_orphans([("audit.changes", 1)]) == 0
    assert manifest.sweep_orphans(said.append, ("audit.changes+2+",), timedelta(seconds=-60)) == 0
    assert manifest.sweep_orphans(said.append, ("audit.changes+1+",), timedelta(seconds=-60)) == 1
    assert len(said) == 1 and said[0].startswith(
        "removed event_type=change/date=2026-11-02/audit.changes+1+x+dead.parquet: written more than")
    assert len(store.keys("event_type=")) == 2


def test_an_intent_left_by_a_writer_that_lost_the_race_is_a_note_then_voided(
        store: Store, anchors: Store) -> None:
    _writer(store, anchors).land(_batch(0, 10))
    lake_id = ObjectManifest(store).refresh().lake_id
    assert lake_id is not None
    witness = ObjectWitness(anchors, store.url)
    witness.write("intent", lake_id, 2, "f" * 64)  # a writer killed after losing entry 2
    _writer(store, anchors).land(_batch(10, 10, prefix="f"))  # entry 2, another hash
    report = verify_object_lake(store, LakeSettings(), witness)
    assert report.findings == []
    assert any("lost the race for entry 2" in n for n in report.notes), report.notes
    _writer(store, anchors).land(_batch(20, 10, prefix="g"))  # a new writer's first commit voids it
    phases = sorted(r["phase"] for _, r in witness.records(lake_id) if r and r["seq"] == 2)
    assert phases == ["head", "intent", "intent", "void"]
    report = verify_object_lake(store, LakeSettings(), witness)
    assert report.findings == [] and not any("lost the race" in n for n in report.notes)


def test_a_head_for_an_entry_that_was_rewritten_is_still_a_finding(store: Store, anchors: Store) -> None:
    from lake.manifest import canonical, entry_hash

    writer = _writer(store, anchors)
    for n in range(3):
        writer.land(_batch(n * 10, 10, prefix=f"b{n}-"))
    middle = json.loads(store.read(entry_key(2)))
    middle["next_offset"] = 19
    middle["hash"] = entry_hash(middle)
    last = json.loads(store.read(entry_key(3)))
    last["prev"] = middle["hash"]
    last["hash"] = entry_hash(last)
    store.put(entry_key(2), canonical(middle) + b"\n")
    store.put(entry_key(3), canonical(last) + b"\n")
    findings = verify_object_lake(store, LakeSettings(), ObjectWitness(anchors, store.url)).findings
    assert len(findings) == 1 and "manifest entry 2 differs from its head" in findings[0], findings


def test_both_s3_reading_paths_return_the_same_rows(bucket: str) -> None:
    store = S3Store(bucket, "lake")
    writer = _writer(store, S3Store(bucket, "anchors"))
    writer.land(_batch(0, 30))
    query = "SELECT event_id, occurred_at, _offset FROM change ORDER BY event_id"
    through_s3fs = open_object_lake(store, via="s3fs").execute(query).fetchall()
    through_pyarrow = open_object_lake(store, via="pyarrow").execute(query).fetchall()
    assert len(through_s3fs) == 30 and through_s3fs == through_pyarrow


def test_the_pyarrow_reader_knows_the_objects_it_was_given_and_reads_them_whole(bucket: str) -> None:
    from lake.object_reader import s3_filesystem

    store = S3Store(bucket, "lake")
    _writer(store, S3Store(bucket, "anchors")).land(_batch(0, 30))
    [(path, ref)] = list(ObjectManifest(store).refresh().live.items())[:1]
    uri, body = store.uri(path), store.read(path)
    fs = s3_filesystem(store, "pyarrow", {uri.removeprefix("s3://"): ref["bytes"]})
    assert fs.size(uri) == len(body) == ref["bytes"]
    with fs.open(uri) as handle:  # opened in the store at the first read
        assert handle.read(4) == b"PAR1" and handle.read() == body[4:]
    other = store.uri("_manifest/" + entry_key(1).rsplit("/", 1)[1])
    assert not fs.exists(other)  # paths it was not given are asked of the store
    store.delete(path)
    assert fs.size(uri) == ref["bytes"]  # answered from the manifest: no request
    with pytest.raises(FileNotFoundError), fs.open(uri) as handle:
        handle.read(4)


def test_an_emptied_lake_is_caught(store: Store, anchors: Store) -> None:
    _writer(store, anchors).land(_batch(0, 10))
    for key in store.keys(""):
        store.delete(key)
    findings = verify_object_lake(store, LakeSettings(), ObjectWitness(anchors, store.url)).findings
    assert len(findings) == 1 and "heads of another lake" in findings[0], findings


def test_a_lake_replaced_by_another_one_is_caught(store: Store, anchors: Store) -> None:
    _writer(store, anchors).land(_batch(0, 10))
    for key in store.keys(""):
        store.delete(key)
    _writer(store, anchors).land(_batch(0, 10, prefix="forged"))  # a new lake at the same URL
    findings = verify_object_lake(store, LakeSettings(), ObjectWitness(anchors, store.url)).findings
    assert any("heads of another lake" in f for f in findings), findings
