"""Bounded read sessions: the one way analytics opens a connection for queries it does not write
itself (``aftershock query``, pages).

:func:`open_bounded` gives an in-memory DuckDB over the lake's views that can read files only
inside the lake folder (and the reader's schema files), writes nothing (no spilling, no external
access, configuration locked, see :func:`lock_down`), and uses at most ``memory_limit`` of memory
and ``threads`` threads (:class:`aftershock.settings.QuerySettings`). :func:`watch` bounds the
wall-clock time of whatever runs on it: past ``timeout_s`` a timer interrupts the connection
(``DuckDBPyConnection.interrupt``) until the guarded block ends. Either stop becomes one
:class:`AnalyticsError` (exit 7) that names the limit and how to raise it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from aftershock.errors import AnalyticsError
from aftershock.settings import QuerySettings
from analytics import queries

REPEAT_S = 0.05  # once the time is up, interrupt again this often (a statement may start later)


def lock_down(con: duckdb.DuckDBPyConnection, lake_dir: Path | str, also: Iterable[Path] = ()) -> None:
    """Allow file access only under ``lake_dir`` (a folder, or the ``s3://`` prefix of a lake on
    object storage), the schema files and the folders ``also`` (a stored model kept outside the
    lake), then lock the settings."""
    from lake.reader import schema_files

    lake = f"{lake_dir.rstrip('/')}/" if isinstance(lake_dir, str) else f"{Path(lake_dir).resolve()}/"
    local = (*(Path(p).parent for p in schema_files().values()), *also)
    folders = {lake, *(f"{p.resolve()}/" for p in local)}
    queries.execute(con, "restrict_files", {"directories": sorted(folders)})
    for step in ("disable_spilling", "disable_external_access", "lock_configuration"):
        queries.execute(con, step)


def open_bounded(lake_dir: Path | str, limits: QuerySettings,
                 tables: Iterable[str] | None = None) -> duckdb.DuckDBPyConnection:
    """A locked-down connection with the views of ``tables`` (default: all) and the memory and
    thread limits of ``limits``; run its queries inside :func:`watch`."""
    con = connect(limits)
    try:
        open_views(con, lake_dir, limits, tables)
    except BaseException:
        con.close()
        raise
    return con


def connect(limits: QuerySettings) -> duckdb.DuckDBPyConnection:
    """An in-memory connection with the memory and thread limits of ``limits``, no spilling and no
    views yet (its parser is free to use: ``extract_statements``, ``get_table_names``)."""
    from lake.reader import connect as reader_connect

    config: dict[str, str | int] = {"memory_limit": limits.memory_limit, "temp_directory": ""}
    if limits.threads is not None:
        config["threads"] = limits.threads
    return reader_connect(config)


def open_views(con: duckdb.DuckDBPyConnection, lake_dir: Path | str, limits: QuerySettings,
               tables: Iterable[str] | None = None) -> None:
    """Create the lake views of ``tables`` (default: all) on ``con``, then lock it down; an
    ``s3://`` lake is read through its object manifest."""
    from lake.readers import add_views

    try:
        add_views(con, lake_dir, tables=tables)
    except duckdb.OutOfMemoryException as exc:
        raise memory_error(limits) from exc
    lock_down(con, lake_dir)


class _Alarm:
    """Interrupts ``con`` after ``seconds``, then every :data:`REPEAT_S` until stopped."""

    def __init__(self, con: duckdb.DuckDBPyConnection, seconds: float) -> None:
        self.con, self.seconds = con, seconds
        self.fired = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="query-timeout", daemon=True)

    def _run(self) -> None:
        if self._stop.wait(self.seconds):
            return
        self.fired = True
        while True:
            self.con.interrupt()
            if self._stop.wait(REPEAT_S):
                return

    def __enter__(self) -> _Alarm:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@contextmanager
def watch(con: duckdb.DuckDBPyConnection, limits: QuerySettings) -> Iterator[None]:
    """Run the block under ``limits.timeout_s``; a stop for time or memory (raised as DuckDB's
    error or wrapped in an AnalyticsError) leaves as one AnalyticsError naming the limit."""
    with _Alarm(con, limits.timeout_s) as alarm:
        try:
            yield
        except Exception as exc:
            if alarm.fired and _caused_by(exc, duckdb.InterruptException):
                raise timeout_error(limits) from exc
            if _caused_by(exc, duckdb.OutOfMemoryException):
                raise memory_error(limits) from exc
            raise


def timeout_error(limits: QuerySettings) -> AnalyticsError:
    return AnalyticsError(f"query stopped after {limits.timeout_s:g} s (timeout): raise --timeout "
                          "or AFTERSHOCK_QUERY__TIMEOUT_S, or narrow the query")


def memory_error(limits: QuerySettings) -> AnalyticsError:
    return AnalyticsError(f"query stopped: it needs more than {limits.memory_limit} of memory "
                          "(memory limit): raise --memory-limit or AFTERSHOCK_QUERY__MEMORY_LIMIT, "
                          "or narrow the query")


def _caused_by(exc: BaseException | None, kind: type[BaseException]) -> bool:
    while exc is not None:
        if isinstance(exc, kind):
            return True
        exc = exc.__cause__
    return False
