"""`aftershock lake iceberg sync` on a lake in a bucket of a real S3 API on loopback: pyiceberg
reads the objects in place through the tables and gets exactly the rows `aftershock query`
returns, after more landings and after a compaction."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from aftershock.settings import EVENT_TYPES, IngestSettings
from lake.iceberg_catalog import default_catalog
from lake.object_manifest import ObjectManifest
from lake.object_reader import open_object_lake
from lake.object_witness import ObjectWitness
from lake.object_writer import ObjectLakeWriter
from lake.reader import TABLES
from lake.storage import S3Store
from lake.writer import Batch
from schemas.examples import example_event
from tests.ingest.kafka_data import BASE
from tests.lake.iceberg_rows import assert_same_rows, iceberg_table, query_table


def _land(store: S3Store, batch: int, count: int = 24) -> None:
    writer = ObjectLakeWriter(store, IngestSettings(),
                              ObjectWitness(S3Store(store.bucket, "anchors"), store.url))
    for n, event_type in enumerate(EVENT_TYPES):
        events = [example_event(event_type, event_id=f"{event_type}-{batch}-{i}",
                                occurred_at=(BASE - timedelta(days=i % 2, minutes=i)).isoformat())
                  for i in range(count)]
        start = batch * count
        writer.land(Batch(f"audit.{event_type}", n, start, start + count, events,
                          list(range(start, start + count))))


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["AFTERSHOCK_LAKE__ANCHOR_STORE"] = f"s3://{args[-1][len('s3://'):].split('/')[0]}/anchors"
    return subprocess.run([sys.executable, "-m", "aftershock", *args], capture_output=True,
                          text=True, env=env, timeout=300, check=False)


def _assert_reads_back(store: S3Store, endpoint: str) -> None:
    catalog = default_catalog(store.url)
    con = open_object_lake(store)
    try:
        for name in TABLES:
            table = iceberg_table(catalog, name, **{"s3.endpoint": endpoint})
            assert_same_rows(table.scan().to_arrow(), query_table(con, name), name)
    finally:
        con.close()


def test_iceberg_tables_of_a_lake_in_a_bucket_read_back_what_query_returns(
        bucket: str, s3_env: str) -> None:
    store = S3Store(bucket, "lake")
    _land(store, 0)
    done = _run("lake", "iceberg", "sync", "--lake", store.url)
    assert done.returncode == 0, done.stderr
    assert "iceberg: aftershock.change: +2 -0 files, 2 files, 24 rows" in done.stderr
    catalog = default_catalog(store.url)
    assert catalog.startswith(f"sqlite:///{os.environ['XDG_STATE_HOME']}/aftershock/iceberg/")
    assert store.keys("_iceberg/aftershock/change/metadata/")  # the metadata sits in the lake
    _assert_reads_back(store, s3_env)

    _land(store, 1)
    done = _run("lake", "iceberg", "sync", "--lake", store.url)
    assert done.returncode == 0, done.stderr
    assert "iceberg: aftershock.incident: +2 -0 files, 4 files, 48 rows" in done.stderr
    _assert_reads_back(store, s3_env)

    done = _run("compact", "--lake", store.url)  # the tables follow each committed group
    assert done.returncode == 0, done.stderr
    assert "iceberg: aftershock.deployment: +1 -2 files" in done.stderr
    _assert_reads_back(store, s3_env)
    live = {store.uri(p) for p in ObjectManifest(store).refresh().files_of("change")}
    table = iceberg_table(catalog, "change", **{"s3.endpoint": s3_env})
    assert {task.file.file_path for task in table.scan().plan_files()} == live

    done = _run("lake", "iceberg", "sync", "--lake", store.url)
    assert done.returncode == 0, done.stderr
    assert "nothing to do, every table up to date" in done.stderr
    assert Path(catalog[len("sqlite:///"):]).is_file()
