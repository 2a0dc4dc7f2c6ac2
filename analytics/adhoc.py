"""Read-only ad-hoc SQL over the lake's views (``aftershock query``).

Only a single statement that DuckDB's own parser classifies as a SELECT (which includes WITH ...
SELECT, FROM-first queries, VALUES, SUMMARIZE) is accepted; everything else (COPY, ATTACH,
INSERT, CREATE, SET, PRAGMA, EXPORT, several statements) is refused before it runs. The
connection is an in-memory database over the lake's Parquet files, whose configuration is
locked before the query runs.
"""

from __future__ import annotations

import duckdb

from aftershock.errors import AnalyticsError
from analytics import queries


def check_read_only(sql: str) -> None:
    """Raise unless ``sql`` is exactly one SELECT statement."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise AnalyticsError(f"query does not parse: {exc}") from exc
    if len(statements) != 1:
        raise AnalyticsError(f"query must be exactly one statement, got {len(statements)}")
    kind = statements[0].type
    if kind != duckdb.StatementType.SELECT:
        raise AnalyticsError(f"query must be a SELECT (read-only), got {kind.name}")


def run(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[list[str], list[tuple[object, ...]]]:
    """Column names and rows of the read-only query ``sql``."""
    check_read_only(sql)
    queries.execute(con, "lock_configuration")
    try:
        cursor = con.execute(sql)
    except duckdb.Error as exc:
        raise AnalyticsError(f"query failed: {exc}") from exc
    return [d[0] for d in cursor.description or []], cursor.fetchall()
