"""Bounded read sessions: ``aftershock query`` and :func:`analytics.bounded.open_bounded` stop a
query at the wall-clock timeout or the memory cap with one clear line (exit 7), and the sandbox
(files only under the lake, nothing written, settings locked) still holds on them."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from aftershock.cli import main
from aftershock.errors import AnalyticsError, ExitCode
from aftershock.settings import QuerySettings, memory_size
from analytics.adhoc import tables_read
from analytics.bounded import open_bounded, watch
from lake.reader import TABLES, schema_files

# streams, holds almost no memory, and would run for hours: only a timeout ends it
ENDLESS = "SELECT sum(hash(i)) FROM range(1000000000000) t(i)"
# one string of ~1 GB: only memory stops it early
HUNGRY = "SELECT length(string_agg(repeat('x', 1000), ',')) FROM range(1000000)"
SAFETY_S = 120.0  # a broken timeout fails the test here instead of hanging it


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "aftershock", "query", *args], capture_output=True,
                          text=True, timeout=SAFETY_S, env={**os.environ, **(env or {})})


def test_a_long_query_is_stopped_by_the_timeout_with_one_line(lake: Path) -> None:
    done = run_cli(ENDLESS, "--lake", str(lake), "--timeout", "1")
    assert done.returncode == ExitCode.ANALYTICS
    assert done.stderr.splitlines() == [
        "aftershock: query stopped after 1 s (timeout): raise --timeout or "
        "AFTERSHOCK_QUERY__TIMEOUT_S, or narrow the query"]
    assert done.stdout == ""


def test_the_timeout_also_stops_fetching_a_huge_result(lake: Path) -> None:
    done = run_cli("SELECT * FROM range(10000000000)", "--lake", str(lake), "--timeout", "1",
                   "--format", "csv")
    assert done.returncode == ExitCode.ANALYTICS
    assert done.stderr.startswith("aftershock: query stopped after 1 s (timeout)")
    assert done.stdout == ""


def test_the_timeout_comes_from_the_environment_too(lake: Path) -> None:
    recursive = ("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10000000000) "
                 "SELECT max(n) FROM r")
    done = run_cli(recursive, "--lake", str(lake), env={"AFTERSHOCK_QUERY__TIMEOUT_S": "0.5"})
    assert done.returncode == ExitCode.ANALYTICS
    assert done.stderr.startswith("aftershock: query stopped after 0.5 s (timeout)")


def test_a_memory_hungry_query_is_stopped_by_the_cap(
        lake: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", HUNGRY, "--lake", str(lake), "--memory-limit", "64MB"]) == ExitCode.ANALYTICS
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "aftershock: query stopped: it needs more than 64MB of memory (memory limit): raise "
        "--memory-limit or AFTERSHOCK_QUERY__MEMORY_LIMIT, or narrow the query"]


def test_the_memory_cap_comes_from_the_environment(
        lake: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("AFTERSHOCK_QUERY__MEMORY_LIMIT", "48MiB")
    assert main(["query", HUNGRY, "--lake", str(lake)]) == ExitCode.ANALYTICS
    assert "more than 48MiB of memory (memory limit)" in capsys.readouterr().err


def test_queries_within_the_limits_answer(lake: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sql = "SELECT count(*) AS n FROM deployment"
    assert main(["query", sql, "--lake", str(lake), "--timeout", "30", "--memory-limit", "256MB",
                 "--format", "csv"]) == ExitCode.OK
    assert capsys.readouterr().out.splitlines()[0] == "n"


@pytest.mark.parametrize(("flag", "value"), [("--timeout", "0"), ("--timeout", "soon"),
                                             ("--memory-limit", "64"), ("--memory-limit", "lots")])
def test_bad_limit_options_are_refused(lake: Path, flag: str, value: str,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["query", "SELECT 1", "--lake", str(lake), flag, value])
    assert stop.value.code == ExitCode.CONFIG
    assert f"argument {flag}: {value!r}" in capsys.readouterr().err


def test_memory_sizes() -> None:
    assert memory_size(" 1.5GiB ") == "1.5GiB"
    with pytest.raises(ValueError, match="not a memory size"):
        memory_size("1.5 potatoes")


@pytest.fixture()
def bounded(lake: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = open_bounded(lake, QuerySettings(timeout_s=0.5, memory_limit="256MB", threads=1))
    safety = threading.Timer(SAFETY_S, con.interrupt)
    safety.start()
    yield con
    safety.cancel()
    con.close()


def test_the_bounded_connection_carries_its_limits_and_stays_locked(
        bounded: duckdb.DuckDBPyConnection, lake: Path, tmp_path: Path) -> None:
    settings = "SELECT current_setting('memory_limit'), current_setting('threads')"
    with duckdb.connect(config={"memory_limit": "256MB", "threads": 1}) as plain:
        assert bounded.execute(settings).fetchone() == plain.execute(settings).fetchone()
    with pytest.raises(duckdb.Error, match="configuration has been locked"):
        bounded.execute("SET memory_limit = '100GB'")
    outside = tmp_path / "outside.csv"
    outside.write_text("a\n1\n")
    with pytest.raises(duckdb.PermissionException):
        bounded.execute(f"SELECT * FROM read_csv('{outside}')")  # noqa: S608
    with pytest.raises(duckdb.Error, match="disabled by configuration"):
        bounded.execute(f"COPY (SELECT 1) TO '{tmp_path / 'out.csv'}'")
    assert not (tmp_path / "out.csv").exists()
    (incidents,) = bounded.execute("SELECT count(*) FROM incident").fetchone() or (0,)
    assert incidents > 0  # the views still read the lake


def test_watch_stops_a_statement_that_starts_after_the_time_is_up(
        bounded: duckdb.DuckDBPyConnection) -> None:
    limits = QuerySettings(timeout_s=0.2)
    with pytest.raises(AnalyticsError, match=r"query stopped after 0.2 s \(timeout\)"), \
            watch(bounded, limits):
        bounded.execute("SELECT 1").fetchall()
        time.sleep(0.5)  # the alarm fires between statements
        bounded.execute(ENDLESS).fetchall()


def test_watch_names_the_limit_through_analytics_errors(bounded: duckdb.DuckDBPyConnection) -> None:
    limits = QuerySettings(timeout_s=0.3)
    with pytest.raises(AnalyticsError, match="stopped after 0.3 s") as stop, watch(bounded, limits):
        assert bounded.execute("SELECT count(*) FROM change").fetchone() is not None
        try:
            bounded.execute(ENDLESS)
        except duckdb.Error as exc:  # as analytics.queries wraps DuckDB's errors
            raise AnalyticsError(f"query failed: {exc}") from exc
    assert isinstance(stop.value.__cause__, AnalyticsError)


def test_a_finished_watch_leaves_the_connection_usable(bounded: duckdb.DuckDBPyConnection) -> None:
    with watch(bounded, QuerySettings(timeout_s=0.1)):
        assert bounded.execute("SELECT 42").fetchone() == (42,)
    time.sleep(0.3)
    assert bounded.execute("SELECT count(*) FROM range(1000)").fetchone() == (1000,)


def test_other_errors_pass_through_watch(bounded: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(duckdb.CatalogException), watch(bounded, QuerySettings()):
        bounded.execute("SELECT * FROM no_such_view")


@pytest.mark.parametrize(("sql", "expected"), [
    ("SELECT 1", ()),
    ("SELECT count(*) FROM Change c JOIN deployment d ON c.change_id = d.change_id",
     ("change", "deployment")),
    ("SELECT * FROM change JOIN incident USING (x)", TABLES),  # DuckDB cannot list them: all
    ("WITH x AS (SELECT * FROM incident) SELECT * FROM x", ("incident",)),
    ("SELECT * FROM query_table('dead_letter')", ("dead_letter",)),
    ("SELECT table_name FROM information_schema.tables", TABLES),
    ("SHOW TABLES", TABLES),
    ("FROM duckdb_views()", TABLES),
])
def test_only_the_views_a_query_names_are_opened(sql: str, expected: tuple[str, ...]) -> None:
    with duckdb.connect() as con:
        assert tables_read(con, sql, TABLES) == expected


def test_show_tables_lists_every_view(lake: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "SHOW TABLES", "--lake", str(lake), "--format", "csv"]) == ExitCode.OK
    assert sorted(capsys.readouterr().out.splitlines()[1:]) == sorted(TABLES)


def test_a_query_process_imports_neither_pyarrow_nor_the_contracts(lake: Path) -> None:
    schema_files()  # made once per schema version, in the user's cache folder
    code = ("import sys; from aftershock.cli import main; "
            "code = main(['query', 'SELECT count(*) FROM change', '--lake', sys.argv[1]]); "
            "print(code, sorted(m for m in ('pyarrow', 'pandas', 'schemas.event') if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code, str(lake)], capture_output=True, text=True,
                         timeout=SAFETY_S, check=True)
    assert run.stdout.splitlines()[-1] == "0 []"
