"""The stored model: a built model kept beside the lake, so a report on an unchanged lake does not
rebuild it.

Building the model (linking every incident to its candidate causes) is the expensive part of
every analytics command and depends only on the lake's committed contents and the parameters.
After a build, its tables are written to one DuckDB file ``<lake>/_model/<name>.duckdb`` (for a
lake on object storage: ``<its cache folder>/_model/``, :func:`lake.readers.local_dir`) whose
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

Whoever can write the lake can write ``_model/``, so a stored model is trusted only through a
digest kept outside the lake, in ``<anchor_dir>/models/<lake id>/<model file>.json`` (the lake
settings' anchor folder): the SHA-256 of the file and the manifest head it was built from,
written after each save (and pruned with the model). A stored model whose digest is missing,
names another head or does not match the file's bytes is never attached: it is built again,
and the reason said.
"""

from __future__ import annotations

import hashlib
import json
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
from lake.files import sha256_file
from lake.manifest import State
from lake.readers import Location, local_dir, open_views, snapshot
from lake.witness import outside

MODEL_DIR = "_model"
KEEP = 3  # stored models of one snapshot (different parameters) kept at most
_TABLE_NAME = re.compile(r"a_[a-z0-9_]+")
_STORED_NAME = re.compile(r"\.?(\d+)-[0-9a-f]{16}\.duckdb(\.\d+\.tmp)?(\.wal)?")

Progress = Callable[[str], None]


def connect(lake: Location, params: LinkParams, min_confidence: float, *, views: bool = True,
            refresh: bool = False, progress: Progress | None = None,
            digests: Path | None = None, keep_older: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection where the model and outcome tables for ``params`` resolve: the stored model of
    the lake's current snapshot when there is one, its digest vouches for it (``digests``: the
    folder of model digests, default ``<anchor_dir>/models`` of the environment's lake settings)
    and not ``refresh``, else built now and stored (with ``keep_older``, models of older entries
    are left for the caller to :func:`prune`). With ``views`` (or when building) the lake's views
    are there too (``lake.readers``)."""
    say = progress or _quiet
    digests = outside(local_dir(lake), digests or default_digests(), "model digest folder")
    state = snapshot(lake)
    path = model_path(lake, state, params, min_confidence)
    if path.exists() and not refresh and _vouched(path, state, digests, say):
        con = open_views(lake, state) if views else duckdb.connect()
        try:
            attach(con, path)
        except AnalyticsError as exc:  # removed meanwhile, or not a readable model file
            say(f"cannot read the stored model {path.name} ({exc}); building it again")
            con.close()
        else:
            say(f"using the stored model {path.name} (manifest entry {state.seq})")
            return con
    say(f"building the model for manifest entry {state.seq} (kept in {path.parent} for the next run)")
    con = open_views(lake, state)
    ensure(con, params, min_confidence)
    if save(con, path, say, prune_older=not keep_older):
        record_digest(path, state, digests, say)
    return con


def default_digests() -> Path:
    from aftershock.settings import load_settings

    return load_settings().lake.anchor_dir / "models"


def vouched(path: Path, state: State, digests: Path, say: Progress | None = None) -> bool:
    """Whether the digest kept outside the lake vouches for the stored file at ``path`` (a model,
    or figures derived from it) built from ``state``."""
    return _vouched(path, state, digests, say or _quiet)


def _vouched(path: Path, state: State, digests: Path, say: Progress) -> bool:
    """Whether the digest kept outside the lake vouches for the stored model at ``path``."""
    try:
        record = json.loads(_digest_file(digests, state, path).read_text())
    except (OSError, ValueError):
        say(f"the stored model {path.name} has no digest in {digests} (made elsewhere, or "
            "edited); building it again")
        return False
    if record.get("head") != state.head or record.get("seq") != state.seq:
        say(f"the stored model {path.name} was built from another manifest head than the "
            "lake's; building it again")
        return False
    if record.get("sha256") != sha256_file(path):
        say(f"the stored model {path.name} does not match its digest (edited since it was "
            "built); building it again")
        return False
    return True


def record_digest(path: Path, state: State, digests: Path, say: Progress) -> None:
    """Keep the stored model's SHA-256 and head outside the lake (atomically)."""
    record = {"model": path.name, "sha256": sha256_file(path), "seq": state.seq, "head": state.head}
    target = _digest_file(digests, state, path)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(json.dumps(record, sort_keys=True))
        os.replace(temporary, target)
        for other in target.parent.glob("*.duckdb.json"):  # digests of pruned models
            if not (path.parent / other.name.removesuffix(".json")).exists():
                other.unlink(missing_ok=True)
    except OSError as exc:
        say(f"could not record the model's digest in {digests} ({exc}); the next run builds it "
            "again")


def _digest_file(digests: Path, state: State, path: Path) -> Path:
    return digests / (state.lake_id or "empty") / f"{path.name}.json"


def model_folder(lake: Location) -> Path:
    """The folder of the lake's stored models (in its cache folder for a lake on object storage)."""
    return local_dir(lake) / MODEL_DIR


def model_path(lake: Location, state: State, params: LinkParams, min_confidence: float) -> Path:
    """Where the model of ``state`` built with these parameters is (or would be) stored."""
    digest = hashlib.sha256()
    for part in (state.head, repr(params.values()), repr(min_confidence), duckdb.__version__,
                 *(queries.text(step) for step in (*MODEL_STEPS, *OUTCOME_STEPS))):
        digest.update(part.encode())
        digest.update(b"\0")
    return model_folder(lake) / f"{state.seq}-{digest.hexdigest()[:16]}.duckdb"


def attach(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Make the stored model at ``path`` visible (read-only) behind this connection's own tables."""
    queries.execute(con, "model_attach", {"path": str(path)})
    queries.execute(con, "model_search_path")


def save(con: duckdb.DuckDBPyConnection, path: Path, say: Progress = print, *,
         prune_older: bool = True) -> bool:
    """Write every model table of ``con`` to ``path`` atomically; False (and a note) if it failed."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _write(con, temporary)
        os.replace(temporary, path)
        fsync_dir(path.parent)
    except (OSError, duckdb.Error) as exc:
        for leftover in (temporary, temporary.with_name(f"{temporary.name}.wal")):
            with suppress(OSError):
                leftover.unlink(missing_ok=True)
        say(f"could not store the model in {path.parent} ({exc}); the next run builds it again")
        return False
    if prune_older:
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
