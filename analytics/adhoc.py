"""Read-only ad-hoc SQL over the lake's views (``aftershock query``).

Only a single statement that DuckDB's own parser classifies as a SELECT (which includes WITH ...
SELECT, FROM-first queries, VALUES, SUMMARIZE) is accepted; everything else (COPY, ATTACH,
INSERT, CREATE, SET, PRAGMA, EXPORT, several statements) is refused before it runs. It then runs
on a bounded session (:mod:`analytics.bounded`): file access only inside the lake folder (and the
reader's empty schema files), no spilling to disk, no external access (COPY ... TO, ATTACH,
read_csv of other files, INSTALL/LOAD), a locked configuration, a memory cap and a timeout.

Only the views the query names are created (:func:`tables_read`): each view reads the footer of
every file of its table, so ``select 1`` or a query over ``incident`` does not pay for the others.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from aftershock.errors import AnalyticsError
from aftershock.settings import QuerySettings
from analytics.bounded import connect, open_views, watch

# what lists the catalog: a query naming one of these sees every view
_CATALOG = re.compile(r"\b(information_schema|pg_catalog|sqlite_master|sqlite_schema|duckdb_\w+|"
                      r"show|describe)\b", re.IGNORECASE)


def check_read_only(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Raise unless ``sql`` is exactly one SELECT statement (parsed by ``con``)."""
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise AnalyticsError(f"query does not parse: {exc}") from exc
    if len(statements) != 1:
        raise AnalyticsError(f"query must be exactly one statement, got {len(statements)}")
    kind = statements[0].type
    if kind != duckdb.StatementType.SELECT:
        raise AnalyticsError(f"query must be a SELECT (read-only), got {kind.name}")


def tables_read(con: duckdb.DuckDBPyConnection, sql: str, tables: tuple[str, ...]) -> tuple[str, ...]:
    """The lake tables of ``tables`` that ``sql`` may read: those it names, or all of them when it
    looks at the catalog or DuckDB (``con``) cannot list its tables."""
    if _CATALOG.search(sql):
        return tables
    try:
        named = {name.lower() for name in con.get_table_names(sql)}
    except duckdb.Error:
        return tables
    return tuple(t for t in tables if t in named)


def run(lake_dir: Path | str, sql: str,
        limits: QuerySettings) -> tuple[list[str], list[tuple[object, ...]]]:
    """Column names and rows of the read-only query ``sql`` over the lake at ``lake_dir``."""
    from lake.reader import TABLES

    con = connect(limits)
    try:
        check_read_only(con, sql)
        open_views(con, lake_dir, limits, tables_read(con, sql, TABLES))
        with watch(con, limits):
            return _fetch(con, sql, lake_dir)
    finally:
        con.close()


def _fetch(con: duckdb.DuckDBPyConnection, sql: str,
           lake_dir: Path | str) -> tuple[list[str], list[tuple[object, ...]]]:
    try:
        cursor = con.execute(sql)
        return [d[0] for d in cursor.description or []], cursor.fetchall()
    except duckdb.PermissionException as exc:
        raise AnalyticsError(f"query refused: it reads or writes outside the lake {lake_dir} "
                             f"({exc})") from exc
    except (duckdb.InterruptException, duckdb.OutOfMemoryException):
        raise  # watch() names the limit
    except duckdb.Error as exc:
        raise AnalyticsError(f"query failed: {exc}") from exc
