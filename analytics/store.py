"""The stored model: a built model kept beside the lake, so a report on an unchanged lake does not
rebuild it.

Building the model (linking every incident to its candidate causes) is the expensive part of
every analytics command and depends only on the lake's committed contents and the parameters.
After a build, its tables are written to one DuckDB file ``<lake>/_model/<name>.duckdb`` whose
name carries the manifest sequence number and a key over the manifest head hash, the linking
parameters, the confidence threshold, the SQL of every model step and the DuckDB version. A later
command on the same snapshot with the same parameters attaches that file read-only instead of
building: any new commit (the worker landing a batch, a compaction) changes the head, so a stored
model never answers for data it was not built from.

Writes are atomic (temporary name, fsync, rename); a lake folder that cannot be written to only
costs the rebuild next time. After a save, models of older manifest sequence numbers are removed
(readers that opened one keep reading it: an open file outlives its name), and of the current
one all but the :data:`KEEP` newest (e.g. a postmortem with another look-back window stores its
own). ``verify`` ignores the folder: it holds no Parquet file, and the manifest commits nothing
in it.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

import duckdb

from aftershock.errors import AnalyticsError
from aftershock.fsutil import fsync_dir
from analytics import queries
from analytics.model import MODEL_STEPS, OUTCOME_STEPS, LinkParams, ensure
from lake.manifest import State, snapshot

MODEL_DIR = "_model"
KEEP = 3  # stored models of one snapshot (different parameters) kept at most
_TABLE_NAME = re.compile(r"a_[a-z0-9_]+")
_STORED_NAME = re.compile(r"\.?(\d+)-[0-9a-f]{16}\.duckdb(\.\d+\.tmp)?(\.wal)?")

Progress = Callable[[str], None]


def connect(lake: Path, params: LinkParams, min_confidence: float, *, views: bool = True,
            refresh: bool = False, progress: Progress | None = None) -> duckdb.DuckDBPyConnection:
    """A connection where the model and outcome tables for ``params`` resolve: the stored model of
    the lake's current snapshot when there is one (and not ``refresh``), else built now and stored.
    With ``views`` (or when building) the lake's views are there too (``lake.reader``)."""
    from lake.reader import open_lake  # pyarrow and the contracts: only when views are needed

    say = progress or _quiet
    state = snapshot(lake)
    path = model_path(lake, state, params, min_confidence)
    if path.exists() and not refresh:
        con = open_lake(lake, state) if views else duckdb.connect()
        try:
            attach(con, path)
        except AnalyticsError as exc:  # removed meanwhile, or not a readable model file
            say(f"cannot read the stored model {path.name} ({exc}); building it again")
            con.close()
        else:
            say(f"using the stored model {path.name} (manifest entry {state.seq})")
            return con
    say(f"building the model for manifest entry {state.seq} (kept in {path.parent} for the next run)")
    con = open_lake(lake, state)
    ensure(con, params, min_confidence)
    save(con, path, say)
    return con


def model_path(lake: Path, state: State, params: LinkParams, min_confidence: float) -> Path:
    """Where the model of ``state`` built with these parameters is (or would be) stored."""
    digest = hashlib.sha256()
    for part in (state.head, repr(params.values()), repr(min_confidence), duckdb.__version__,
                 *(queries.text(step) for step in (*MODEL_STEPS, *OUTCOME_STEPS))):
        digest.update(part.encode())
        digest.update(b"\0")
    return lake / MODEL_DIR / f"{state.seq}-{digest.hexdigest()[:16]}.duckdb"


def attach(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Make the stored model at ``path`` visible (read-only) behind this connection's own tables."""
    queries.execute(con, "model_attach", {"path": str(path)})
    queries.execute(con, "model_search_path")


def save(con: duckdb.DuckDBPyConnection, path: Path, say: Progress = print) -> bool:
    """Write every model table of ``con`` to ``path`` atomically; False (and a note) if it failed."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(exist_ok=True)
        _write(con, temporary)
        os.replace(temporary, path)
        fsync_dir(path.parent)
    except (OSError, duckdb.Error) as exc:
        for leftover in (temporary, temporary.with_name(f"{temporary.name}.wal")):
            with suppress(OSError):
                leftover.unlink(missing_ok=True)
        say(f"could not store the model in {path.parent} ({exc}); the next run builds it again")
        return False
    prune(path)
    return True


def _write(con: duckdb.DuckDBPyConnection, target: Path) -> None:
    target.unlink(missing_ok=True)
    queries.execute(con, "store_attach", {"path": str(target)})
    try:
        for table in [row["table_name"] for row in queries.rows(con, "stored_tables")]:
            if not _TABLE_NAME.fullmatch(table):
                raise ValueError(f"not a model table name: {table!r}")
            con.execute(queries.text("store_table").format(table=table))
    finally:
        queries.execute(con, "store_detach")
    with target.open("rb") as handle:
        os.fsync(handle.fileno())


def prune(kept: Path) -> None:
    """Remove stored models of manifest entries older than ``kept``'s (and their stray temporary
    files), and of ``kept``'s entry all but the :data:`KEEP` newest (other parameters)."""
    seq = int(kept.name.split("-", 1)[0])
    same: list[Path] = []
    for other in kept.parent.iterdir():
        match = _STORED_NAME.fullmatch(other.name)
        if match and int(match.group(1)) < seq:
            other.unlink(missing_ok=True)
        elif match and int(match.group(1)) == seq and other.suffix == ".duckdb" and other != kept:
            same.append(other)
    same.sort(key=_mtime, reverse=True)
    for other in same[KEEP - 1:]:
        other.unlink(missing_ok=True)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _quiet(message: str) -> None:
    del message
