"""The read API: an in-memory DuckDB over one manifest snapshot of the lake.

:func:`open_lake` reads the committed manifest (no lock, so readers never hold up a writer; an
unfinished last line is ignored, so a half-committed batch is never seen) and creates one view
per event type plus ``dead_letter`` over exactly the files live in that snapshot. Each event
view keeps one row per ``(source, event_id)``. Every file list starts with an empty Parquet file
of the current schema, so a type without data still has its typed columns and files written
under an older ``schema_version`` read with the newer columns as NULL (``union_by_name``).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from importlib import resources
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from aftershock.errors import LakeError
from aftershock.settings import EVENT_TYPES
from lake.arrow_format import empty_table
from lake.manifest import State, snapshot

TABLES: tuple[str, ...] = (*EVENT_TYPES, "dead_letter")


def _sql(name: str, view: str) -> str:
    if view not in TABLES:
        raise ValueError(f"not a lake table: {view!r}")
    return resources.files("lake.sql").joinpath(name).read_text().format(view=view)


@cache
def schema_files() -> dict[str, str]:
    """Zero-row Parquet files of the current schema of every table (one per process)."""
    folder = Path(tempfile.mkdtemp(prefix="aftershock-schema-"))
    atexit.register(shutil.rmtree, folder, True)
    paths = {}
    for table in TABLES:
        paths[table] = str(folder / f"{table}.parquet")
        pq.write_table(empty_table(table), paths[table])
    return paths


def open_lake(lake_dir: Path, state: State | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the lake's views (see the module docstring)."""
    lake = Path(lake_dir)
    if not lake.is_dir():
        raise LakeError(f"lake folder {lake} does not exist; land events first or pass --lake")
    state = state or snapshot(lake)
    con = duckdb.connect()
    for table in TABLES:
        files = [schema_files()[table], *(str(lake / p) for p in state.files_of(table))]
        con.execute(_sql("set_files.sql", table), {"files": files})
        view = "dead_letter_view.sql" if table == "dead_letter" else "event_view.sql"
        con.execute(_sql(view, table))
    return con
