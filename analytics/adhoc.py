"""Read-only ad-hoc SQL over the lake's views (``aftershock query``).

Only a single statement that DuckDB's own parser classifies as a SELECT (which includes WITH ...
SELECT, FROM-first queries, VALUES, SUMMARIZE) is accepted; everything else (COPY, ATTACH,
INSERT, CREATE, SET, PRAGMA, EXPORT, several statements) is refused before it runs. Then DuckDB
itself is locked down (:func:`lock_down`): file access only inside the lake folder (and the
reader's empty schema files), no spilling to disk, no external access (COPY ... TO, ATTACH,
read_csv of other files, INSTALL/LOAD) and a locked configuration, so even a SELECT cannot read
elsewhere or write anything.
"""

from __future__ import annotations

from pathlib import Path

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


def lock_down(con: duckdb.DuckDBPyConnection, lake_dir: Path) -> None:
    """Allow file access only under ``lake_dir`` and the schema files, then lock the settings."""
    from lake.reader import schema_files

    folders = {Path(lake_dir).resolve(), *(Path(p).resolve().parent for p in schema_files().values())}
    queries.execute(con, "restrict_files", {"directories": sorted(f"{f}/" for f in folders)})
    for step in ("disable_spilling", "disable_external_access", "lock_configuration"):
        queries.execute(con, step)


def run(con: duckdb.DuckDBPyConnection, sql: str,
        lake_dir: Path) -> tuple[list[str], list[tuple[object, ...]]]:
    """Column names and rows of the read-only query ``sql`` over the lake at ``lake_dir``."""
    check_read_only(sql)
    lock_down(con, lake_dir)
    try:
        cursor = con.execute(sql)
    except duckdb.PermissionException as exc:
        raise AnalyticsError(f"query refused: it reads or writes outside the lake {lake_dir} "
                             f"({exc})") from exc
    except duckdb.Error as exc:
        raise AnalyticsError(f"query failed: {exc}") from exc
    return [d[0] for d in cursor.description or []], cursor.fetchall()
