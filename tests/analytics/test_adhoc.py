"""``aftershock query`` cannot read files outside the lake or write anything, even with a SELECT,
and DuckDB itself refuses file access once the session is locked down."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from aftershock.cli import main
from aftershock.errors import ExitCode
from analytics.bounded import lock_down
from lake.reader import open_lake


@pytest.fixture()
def outside(tmp_path: Path) -> Path:
    secret = tmp_path / "outside" / "secret.csv"
    secret.parent.mkdir()
    secret.write_text("name,value\nkey,hunter2\n")
    return secret


@pytest.mark.parametrize("template", [
    "SELECT * FROM read_csv('{secret}')",
    "SELECT * FROM read_text('{secret}')",
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM glob('{folder}/*')",
    "SELECT * FROM read_csv('{lake}/../outside/secret.csv')",
])
def test_a_select_reading_outside_the_lake_is_refused(
        lake: Path, outside: Path, template: str, capsys: pytest.CaptureFixture[str]) -> None:
    sql = template.format(secret=outside, folder=outside.parent, lake=lake)
    if "{lake}" in template:
        (lake.parent / "outside").mkdir(exist_ok=True)
        (lake.parent / "outside" / "secret.csv").write_text(outside.read_text())
    assert main(["query", sql, "--lake", str(lake)]) == ExitCode.ANALYTICS
    captured = capsys.readouterr()
    assert "query refused: it reads or writes outside the lake" in captured.err
    assert "hunter2" not in captured.out + captured.err


@pytest.mark.parametrize("template", [
    "COPY (SELECT 1 AS x) TO '{target}'",
    "ATTACH '{target}.db' AS other",
    "INSTALL httpfs",
    "SET enable_external_access = true",
    "SET allowed_directories = ['/']",
])
def test_duckdb_itself_refuses_writes_and_changes_after_lock_down(
        lake: Path, tmp_path: Path, template: str) -> None:
    con = open_lake(lake)
    lock_down(con, lake)
    with pytest.raises(duckdb.Error, match="disabled by configuration|configuration has been locked"):
        con.execute(template.format(target=tmp_path / "out.csv"))
    assert not list(tmp_path.glob("out.csv*"))
    con.close()


def test_the_views_still_read_the_lake_after_lock_down(lake: Path) -> None:
    con = open_lake(lake)
    expected = con.execute("SELECT count(*) FROM deployment").fetchone()
    lock_down(con, lake)
    assert con.execute("SELECT count(*) FROM deployment").fetchone() == expected
    con.close()
