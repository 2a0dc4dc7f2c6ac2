"""`aftershock lake iceberg`: pyiceberg reads every Iceberg table of a lake and gets exactly the
rows `aftershock query` returns, after landing more, after compaction, and on a simulated lake
(real Parquet files, a real SQLite catalog, pyiceberg's own reader)."""

from __future__ import annotations

import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from aftershock.cli import main
from aftershock.errors import ExitCode
from aftershock.settings import EVENT_TYPES, IngestSettings
from ingest.backfill import land_events
from lake.compact import compact_lake
from lake.manifest import snapshot
from lake.reader import TABLES, open_lake
from schemas.examples import example_event
from tests.ingest.kafka_data import BASE
from tests.lake.iceberg_rows import assert_same_rows, iceberg_table, query_table


def _land(lake: Path, batch: int, count: int = 42) -> None:
    events = [example_event(EVENT_TYPES[i % len(EVENT_TYPES)], event_id=f"b{batch}-{i}",
                            occurred_at=(BASE - timedelta(days=i % 2, minutes=i)).isoformat())
              for i in range(count)]
    land_events(lake, events)


def _catalog(lake: Path) -> str:
    return f"sqlite:///{lake.resolve()}/_iceberg/catalog.db"


def _sync(lake: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    assert main(["lake", "iceberg", "sync", "--lake", str(lake), *extra]) == ExitCode.OK
    return capsys.readouterr().err


def _assert_reads_back(lake: Path, tables: tuple[str, ...] = TABLES) -> None:
    con = open_lake(lake)
    try:
        for name in tables:
            assert_same_rows(iceberg_table(_catalog(lake), name).scan().to_arrow(),
                             query_table(con, name), name)
    finally:
        con.close()


def _paths(lake: Path, name: str) -> set[str]:
    table = iceberg_table(_catalog(lake), name)
    return {task.file.file_path for task in table.scan().plan_files()}


def _live(lake: Path, name: str) -> set[str]:
    return {f"file://{lake.resolve() / p}" for p in snapshot(lake).files_of(name)}


def test_every_table_reads_back_what_query_returns(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    lake = tmp_path / "lake"
    for batch in range(3):
        _land(lake, batch)
    out = _sync(lake, capsys)
    assert "iceberg: aftershock.change: +3 -0 files, 3 files, 21 rows" in out
    _assert_reads_back(lake)
    state = snapshot(lake)
    summary = iceberg_table(_catalog(lake), "incident").current_snapshot().summary  # type: ignore[union-attr]
    assert summary.get("aftershock.manifest.seq") == str(state.seq) == "3"
    assert summary.get("aftershock.manifest.head") == state.head
    assert summary.get("aftershock.lake.id") == state.lake_id


def test_a_later_sync_adds_only_the_new_files_and_a_repeat_does_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lake = tmp_path / "lake"
    _land(lake, 0)
    _sync(lake, capsys)
    before = _paths(lake, "change")
    _land(lake, 1)
    _land(lake, 2)
    out = _sync(lake, capsys)
    assert "aftershock.change: +2 -0 files" in out
    after = _paths(lake, "change")
    assert before < after and after == _live(lake, "change")
    current = iceberg_table(_catalog(lake), "change").current_snapshot()
    assert current is not None and current.summary is not None
    assert current.summary.get("added-data-files") == "2"
    assert current.summary.operation.value == "append"  # adds only: an append snapshot
    assert current.summary.get("aftershock.manifest.seq") == "3"
    _assert_reads_back(lake)
    snapshots = {name: iceberg_table(_catalog(lake), name).current_snapshot() for name in TABLES}
    out = _sync(lake, capsys)
    assert "nothing to do, every table up to date at manifest entry 3" in out
    again = {name: iceberg_table(_catalog(lake), name).current_snapshot() for name in TABLES}
    assert again == snapshots


def test_compaction_replaces_the_files_and_drops_the_duplicates(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lake = tmp_path / "lake"
    for batch in range(3):
        _land(lake, batch)
    land_events(lake, [example_event("agent_action", event_id="b0-0",
                                     occurred_at=BASE.isoformat())])  # a replayed delivery
    _sync(lake, capsys)
    raw = iceberg_table(_catalog(lake), "agent_action").scan().to_arrow()
    assert raw.num_rows == 22  # the Iceberg table holds the files' rows, the duplicate too
    assert main(["lake", "iceberg", "show", "--lake", str(lake)]) == ExitCode.OK
    shown = capsys.readouterr().out
    assert "agent_action" in shown and "22 rows in 4 files | lake: 22 rows in 4 files, 21 as " \
        "queried | in sync" in shown
    replaced = _paths(lake, "agent_action")
    compact_lake(lake, IngestSettings())
    assert main(["lake", "iceberg", "show", "--lake", str(lake)]) == ExitCode.OK
    assert "OUT OF SYNC" in capsys.readouterr().out
    out = _sync(lake, capsys)
    assert "aftershock.agent_action: +1 -4 files, 1 files, 21 rows" in out
    current = iceberg_table(_catalog(lake), "agent_action").current_snapshot()
    assert current is not None and current.summary is not None
    assert current.summary.operation.value == "overwrite"
    assert current.summary.get("deleted-data-files") == "4"
    now = _paths(lake, "agent_action")
    assert now == _live(lake, "agent_action") and not now & replaced
    assert all("compacted+" in path for path in now)
    _assert_reads_back(lake)
    ids = iceberg_table(_catalog(lake), "agent_action").scan().to_arrow().column("event_id")
    assert len(ids) == len(set(ids.to_pylist())) == 21


def test_compact_keeps_synced_tables_in_step(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    lake = tmp_path / "lake"
    for batch in range(3):
        _land(lake, batch)
    _sync(lake, capsys)
    assert main(["compact", "--lake", str(lake)]) == ExitCode.OK
    assert "iceberg: aftershock.change: +1 -3 files" in capsys.readouterr().err
    for name in EVENT_TYPES:
        paths = _paths(lake, name)
        assert paths == _live(lake, name)
        assert all(Path(path[len("file://"):]).is_file() for path in paths)
    _assert_reads_back(lake)
    assert "nothing to do" in _sync(lake, capsys)


def test_compact_of_a_lake_without_tables_makes_none(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    lake = tmp_path / "lake"
    for batch in range(2):
        _land(lake, batch)
    assert main(["compact", "--lake", str(lake)]) == ExitCode.OK
    assert "iceberg" not in capsys.readouterr().err
    assert not (lake / "_iceberg").exists()


def test_schema_and_name_mapping_match_the_lake_files(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    import pyarrow.parquet as pq

    lake = tmp_path / "lake"
    _land(lake, 0)
    _sync(lake, capsys)
    table = iceberg_table(_catalog(lake), "change")
    path = next(iter(_live(lake, "change")))[len("file://"):]
    file_columns = pq.read_schema(path).names
    assert [field.name for field in table.schema().fields] == file_columns
    assert table.metadata.name_mapping() is not None


def test_another_namespace_gets_tables_of_its_own(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from pyiceberg.catalog import load_catalog

    lake = tmp_path / "lake"
    _land(lake, 0)
    catalog = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    out = _sync(lake, capsys, "--catalog", catalog, "--namespace", "audit")
    assert "iceberg: audit.change: +1 -0 files" in out
    tables = load_catalog("aftershock", type="sql", uri=catalog).list_tables("audit")
    assert sorted(name for _ns, name in tables) == sorted(TABLES)
    assert not (lake / "_iceberg" / "catalog.db").exists()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "aftershock", *args], capture_output=True,
                          text=True, timeout=300, check=False)


def test_an_unreachable_catalog_is_one_clear_line(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    _land(lake, 0)
    url = f"http://127.0.0.1:{_free_port()}"
    done = _run("lake", "iceberg", "sync", "--lake", str(lake), "--catalog", url)
    assert done.returncode == ExitCode.LAKE, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"aftershock: Iceberg catalog {url}: "), lines
    assert "Traceback" not in done.stderr


def test_a_password_in_the_catalog_url_is_never_shown(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    _land(lake, 0)
    url = f"postgresql+pg8000://user:s3cret@127.0.0.1:{_free_port()}/catalog"
    done = _run("lake", "iceberg", "sync", "--lake", str(lake), "--catalog", url)
    assert done.returncode == ExitCode.LAKE, done.stderr
    assert "s3cret" not in done.stderr and "user:***@" in done.stderr


def test_a_missing_lake_is_one_clear_line(tmp_path: Path) -> None:
    done = _run("lake", "iceberg", "sync", "--lake", str(tmp_path / "nowhere"))
    assert done.returncode == ExitCode.LAKE
    assert done.stderr.strip().splitlines() == [
        f"aftershock: lake folder {tmp_path / 'nowhere'} does not exist (--lake / "
        "AFTERSHOCK_LAKE__DIR): land events first (aftershock ingest run, import --lake, "
        "simulate --lake) or pass --lake"]


@pytest.mark.slow
def test_a_simulated_lake_reads_back_identically(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    lake = tmp_path / "lake"
    done = _run("simulate", "--days", "3", "--seed", "1", "--lake", str(lake))
    assert done.returncode == 0, done.stderr
    _sync(lake, capsys)
    _assert_reads_back(lake)
    assert main(["compact", "--lake", str(lake)]) == ExitCode.OK
    _sync(lake, capsys)
    _assert_reads_back(lake)
    assert main(["lake", "iceberg", "show", "--lake", str(lake)]) == ExitCode.OK
    shown = capsys.readouterr().out
    assert shown.count("| in sync") == len(TABLES), shown


@pytest.mark.kafka
def test_ingest_run_with_iceberg_sync_keeps_the_tables_in_step(
        kafka_bootstrap: str, topic_prefix: str, group_id: str, tmp_path: Path) -> None:
    from aftershock.settings import KafkaSettings
    from tests.ingest.kafka_data import create_topics, produce, serialised_events, to_audit_topics
    from tests.ingest.worker_proc import worker_env

    kafka = KafkaSettings(topic_prefix=topic_prefix)
    create_topics(kafka_bootstrap, kafka.audit_topics() + [kafka.dead_letter_topic])
    produce(kafka_bootstrap, to_audit_topics(kafka, serialised_events(600)))
    lake, log = tmp_path / "lake", tmp_path / "worker.log"
    env = worker_env(kafka_bootstrap, topic_prefix, group_id)
    with open(log, "wb") as handle:
        done = subprocess.run([sys.executable, "-m", "aftershock", "ingest", "run", "--lake",
                               str(lake), "--until-idle", "3", "--iceberg-sync"], env=env,
                              stdout=handle, stderr=handle, timeout=180, check=False)
    text = log.read_text()
    assert done.returncode == 0, text[-3000:]
    assert "aftershock ingest: iceberg: " in text and "not synced" not in text, text[-3000:]
    _assert_reads_back(lake)
    for name in EVENT_TYPES:
        assert _paths(lake, name) == _live(lake, name)
    state = snapshot(lake)
    seqs = {iceberg_table(_catalog(lake), name).current_snapshot().summary.get(  # type: ignore[union-attr]
        "aftershock.manifest.seq") for name in EVENT_TYPES}
    assert seqs and all(seq is not None and int(seq) <= state.seq for seq in seqs)
    assert sum(iceberg_table(_catalog(lake), n).scan().to_arrow().num_rows for n in EVENT_TYPES) == 600


def test_syncs_running_at_once_register_each_file_once(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    for batch in range(4):
        _land(lake, batch)
    command = [sys.executable, "-m", "aftershock", "lake", "iceberg", "sync", "--lake", str(lake)]
    workers = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(3)]
    errors = []
    try:
        for worker in workers:
            _out, err = worker.communicate(timeout=300)
            errors.append((worker.returncode, err))
    finally:  # none left running with open pipes, whatever happened
        for worker in workers:
            worker.kill()
            worker.communicate()
    assert all(code == 0 for code, _err in errors), errors
    for name in TABLES:
        table = iceberg_table(_catalog(lake), name)
        paths = [task.file.file_path for task in table.scan().plan_files()]
        assert len(paths) == len(set(paths)) and set(paths) == _live(lake, name), name
    _assert_reads_back(lake)


def test_a_table_holding_another_lake_is_refused(tmp_path: Path) -> None:
    catalog = f"sqlite:///{tmp_path / 'shared.db'}"
    for n, name in enumerate(("one", "two")):
        _land(tmp_path / name, n)
    first = _run("lake", "iceberg", "sync", "--lake", str(tmp_path / "one"), "--catalog", catalog)
    assert first.returncode == 0, first.stderr
    second = _run("lake", "iceberg", "sync", "--lake", str(tmp_path / "two"), "--catalog", catalog)
    assert second.returncode == ExitCode.LAKE
    (line,) = second.stderr.strip().splitlines()
    assert "holds lake" in line and "not this lake" in line and "--namespace" in line, line
    done = _run("lake", "iceberg", "sync", "--lake", str(tmp_path / "two"), "--catalog", catalog,
                "--namespace", "two")
    assert done.returncode == 0, done.stderr
