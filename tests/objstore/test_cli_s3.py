"""The command line on a lake in a bucket of a real S3 API on loopback: query and verify read
it, a query cannot reach another bucket, and the commands that need a folder say so."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from aftershock.errors import ExitCode
from aftershock.settings import IngestSettings
from lake.object_witness import ObjectWitness
from lake.object_writer import ObjectLakeWriter
from lake.storage import S3Store
from lake.writer import Batch
from schemas.examples import example_event
from tests.ingest.kafka_data import BASE


def _land(bucket: str, count: int) -> str:
    store = S3Store(bucket, "lake")
    writer = ObjectLakeWriter(store, IngestSettings(), ObjectWitness(S3Store(bucket, "anchors"), store.url))
    events = [example_event("change", event_id=f"e{i}", occurred_at=(BASE - timedelta(hours=i)).isoformat())
              for i in range(count)]
    writer.land(Batch("audit.changes", 0, 0, count, events, list(range(count))))
    return store.url


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "aftershock", *args], capture_output=True,
                          text=True, env=env or dict(os.environ), timeout=300, check=False)


def test_query_reads_a_lake_in_a_bucket(bucket: str) -> None:
    lake = _land(bucket, 40)
    done = _run("query", "SELECT count(*), count(DISTINCT event_id) FROM change", "--lake", lake,
                "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "40,40"


def test_a_query_cannot_read_another_bucket(bucket: str) -> None:
    lake = _land(bucket, 5)
    S3Store(bucket, "private").put("secret.csv", b"a\n1\n")
    sql = f"SELECT * FROM read_csv('s3://{bucket}/private/secret.csv')"  # noqa: S608
    done = _run("query", sql, "--lake", lake)
    assert done.returncode == ExitCode.ANALYTICS, done.stderr
    assert "query refused" in done.stderr and "secret" not in done.stdout


def test_verify_checks_a_lake_in_a_bucket_against_its_anchor_store(bucket: str) -> None:
    lake = _land(bucket, 10)
    env = dict(os.environ) | {"AFTERSHOCK_LAKE__ANCHOR_STORE": f"s3://{bucket}/anchors",
                              "AFTERSHOCK_KAFKA__BOOTSTRAP_SERVERS": "127.0.0.1:1"}
    done = _run("verify", "--lake", lake, env=env)
    assert done.returncode == 0, done.stderr
    assert "verify: 1 entries, 1 files checked, 0 findings" in done.stderr
    S3Store(bucket, "lake").delete(S3Store(bucket, "lake").keys("_manifest/entries/")[0])
    done = _run("verify", "--lake", lake, env=env)
    assert done.returncode == ExitCode.INTEGRITY, done.stderr


def test_commands_that_need_a_folder_say_so(bucket: str) -> None:
    done = _run("lake", "adopt", "--lake", f"s3://{bucket}/lake")
    assert done.returncode == ExitCode.LAKE
    assert "does not work on a lake on object storage yet" in done.stderr


def test_backfill_lands_into_a_bucket_one_entry_per_run(bucket: str, tmp_path: Path) -> None:
    from lake.object_manifest import ObjectManifest

    lines = [example_event("change", event_id=f"b{i}").model_dump_json() for i in range(25)]
    (tmp_path / "events.ndjson").write_text("\n".join(lines) + "\n")
    lake = f"s3://{bucket}/lake"
    env = dict(os.environ) | {"AFTERSHOCK_LAKE__ANCHOR_STORE": f"s3://{bucket}/anchors"}
    for _run_number in range(2):
        done = _run("ingest", "backfill", str(tmp_path / "events.ndjson"), "--lake", lake, env=env)
        assert done.returncode == 0, done.stderr
    state = ObjectManifest(S3Store(bucket, "lake")).refresh()
    assert state.seq == 2 and state.positions == {("backfill", 0): 50}
    query = _run("query", "SELECT count(DISTINCT event_id) FROM change", "--lake", lake, "--format", "csv")
    assert query.stdout.splitlines()[-1] == "25", query.stderr  # the views keep one copy per event
