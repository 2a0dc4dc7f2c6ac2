"""The read API: an in-memory DuckDB over one manifest snapshot of the lake.

:func:`open_lake` reads the committed manifest (no lock, so readers never hold up a writer; an
unfinished last line is ignored, so a half-committed batch is never seen) and creates one view
per event type plus ``dead_letter`` over exactly the files live in that snapshot. Each event
view keeps one row per ``(source, event_id)``. Every file list starts with an empty Parquet file
of the current schema, so a type without data still has its typed columns and files written
under an older ``schema_version`` read with the newer columns as NULL (``union_by_name``).

Opening is cheap: the empty schema files are kept in the user's cache folder under a fingerprint
of the code that defines the schema (so a reader that finds them imports neither pyarrow nor the
pydantic contracts), a caller that needs only some views creates only those (each view reads the
footer of every file of its table once), and Parquet footers are cached for the session.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from importlib import resources
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import duckdb

from aftershock.errors import LakeError
from aftershock.settings import EVENT_TYPES, cache_home
from lake.manifest import State, snapshot

TABLES: tuple[str, ...] = (*EVENT_TYPES, "dead_letter")


def _sql(name: str, view: str = "") -> str:
    if view and view not in TABLES:
        raise ValueError(f"not a lake table: {view!r}")
    return resources.files("lake.sql").joinpath(name).read_text().format(view=view)


def schema_fingerprint() -> str:
    """A digest of the sources the lake schema is derived from (the ``schemas`` package and
    ``lake/arrow_format.py``): it changes whenever they do."""
    spec = find_spec("schemas")
    folders = spec.submodule_search_locations if spec else None
    if not folders:
        raise LakeError("cannot locate the schemas package to fingerprint the lake schema")
    sources = sorted(Path(folders[0]).glob("*.py")) + [Path(__file__).with_name("arrow_format.py")]
    digest = hashlib.sha256()
    for source in sources:
        digest.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


@cache
def schema_files() -> dict[str, str]:
    """Zero-row Parquet files of the current schema of every table (looked up once a process).

    Kept in ``<cache>/schemas/<fingerprint>/`` and written there (atomically) when missing; in a
    temporary folder removed at exit when the cache folder cannot be written."""
    folder = cache_home() / "schemas" / schema_fingerprint()
    paths = _paths(folder)
    if all(Path(p).is_file() for p in paths.values()):
        return paths
    try:
        return _publish(folder)
    except OSError:
        scratch = Path(tempfile.mkdtemp(prefix="aftershock-schema-"))
        atexit.register(shutil.rmtree, scratch, True)
        _write_schema_files(scratch)
        return _paths(scratch)


def _paths(folder: Path) -> dict[str, str]:
    return {table: str(folder / f"{table}.parquet") for table in TABLES}


def _publish(folder: Path) -> dict[str, str]:
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        _write_schema_files(staging)
        os.rename(staging, folder)
    except OSError:
        if not all(Path(p).is_file() for p in _paths(folder).values()):
            raise
        # another process published the same files first
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return _paths(folder)


def _write_schema_files(folder: Path) -> None:
    import pyarrow.parquet as pq  # only when the schema files are (re)made

    from lake.arrow_format import empty_table

    for table, path in _paths(folder).items():
        pq.write_table(empty_table(table), path)


def open_lake(lake_dir: Path, state: State | None = None, *, tables: Iterable[str] = TABLES,
              config: Mapping[str, Any] | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the lake's views (see the module docstring): those of
    ``tables`` (default: all), over the snapshot ``state`` (default: now); ``config`` is passed to
    ``duckdb.connect`` (e.g. ``memory_limit``, ``threads``)."""
    con = connect(config)
    try:
        add_views(con, lake_dir, state, tables)
    except BaseException:
        con.close()
        raise
    return con


def connect(config: Mapping[str, Any] | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the reader's session settings and no views yet."""
    con = duckdb.connect(config=dict(config or {}))
    con.execute(_sql("session.sql"))
    return con


def add_views(con: duckdb.DuckDBPyConnection, lake_dir: Path, state: State | None = None,
              tables: Iterable[str] = TABLES) -> None:
    """Create the views of ``tables`` over the snapshot ``state`` (default: now) of the lake."""
    lake = Path(lake_dir)
    if not lake.is_dir():
        raise LakeError(f"lake folder {lake} does not exist; land events first or pass --lake")
    create_views(con, state or snapshot(lake), lambda rel: str(lake / rel), tables)


def create_views(con: duckdb.DuckDBPyConnection, state: State, location: Callable[[str], str],
                 tables: Iterable[str] = TABLES) -> None:
    """The views of ``tables`` over the live files of ``state``, each read from
    ``location(lake-relative path)`` (a local path or an object URI)."""
    for table in tables:
        files = [schema_files()[table], *(location(p) for p in state.files_of(table))]
        con.execute(_sql("set_files.sql", table), {"files": files})
        view = "dead_letter_view.sql" if table == "dead_letter" else "event_view.sql"
        con.execute(_sql(view, table))
