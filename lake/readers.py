"""The read side of a ``--lake`` value, a local folder or ``s3://bucket/prefix``: its committed
state, the hash and time of its entries, DuckDB views over it, and the local folder of what
readers derive from it (the stored analytics model). Readers ask here, so the two kinds are
chosen in one place (writers: :mod:`lake.backend`).

A lake on object storage is read through its object manifest only (:mod:`lake.object_reader`):
nothing touches the local filesystem but its cache folder, ``<cache>/<bucket>/<hash>/`` where
``<cache>`` is ``AFTERSHOCK_LAKE__CACHE_DIR`` (default ``$XDG_CACHE_HOME/aftershock/lakes``) and
``<hash>`` covers the endpoint and the URL. One manifest reader is kept per lake and process, so
a later snapshot lists and reads only the entries committed since.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from aftershock.errors import LakeError
from lake.manifest import MANIFEST_DIR, State
from lake.manifest import snapshot as folder_snapshot
from lake.storage import SCHEME, is_remote

if TYPE_CHECKING:
    from aftershock.settings import LakeSettings
    from lake.object_manifest import ObjectManifest

Location = Path | str  # a folder, or an s3:// URL
Mark = tuple[str, datetime]  # an entry's hash and commit time
LAKE_CACHE = "lakes"
_MANIFESTS: dict[str, ObjectManifest] = {}
_MARKS: dict[tuple[str, int], Mark] = {}
_LOCK = threading.Lock()  # pages render in threads; one manifest reader per lake is shared


def name(location: Location) -> str:
    """The lake's name in messages and cache keys: the resolved folder, or the URL."""
    return str(location) if is_remote(location) else str(Path(location).resolve())


def exists(location: Location) -> bool:
    """Whether a local lake's folder exists (a lake on object storage is asked when read)."""
    return is_remote(location) or Path(location).is_dir()


def local_dir(location: Location, settings: LakeSettings | None = None) -> Path:
    """The local folder of what readers derive from the lake: the lake's own folder, or the cache
    folder of a lake on object storage (see the module docstring)."""
    if not is_remote(location):
        return Path(location)
    lake = _settings(settings)
    from aftershock.settings import cache_home

    bucket = str(location)[len(SCHEME):].partition("/")[0]
    key = hashlib.sha256(f"{lake.s3_endpoint_url or ''}|{str(location).rstrip('/')}".encode())
    return (lake.cache_dir or cache_home() / LAKE_CACHE) / bucket / key.hexdigest()[:16]


def snapshot(location: Location) -> State:
    """The committed state of the lake now (a copy: later reads do not change it)."""
    if not is_remote(location):
        return folder_snapshot(Path(location))
    with _LOCK:
        state = _manifest(location).refresh()
        return State(seq=state.seq, head=state.head, positions=dict(state.positions),
                     live=dict(state.live), lake_id=state.lake_id)


def history(location: Location) -> tuple[State, Callable[[int], Mark]]:
    """The committed state and a lookup of any committed entry's hash and commit time."""
    if is_remote(location):
        url = str(location)
        return snapshot(location), lambda seq: _object_mark(url, seq)
    state = State()
    marks: dict[int, Mark] = {}
    for number, line in enumerate(_manifest_lines(Path(location)), start=1):
        entry = json.loads(line)
        state.apply(entry, number)
        marks[state.seq] = (state.head, datetime.fromisoformat(entry["at"]))
    return state, marks.__getitem__


def open_views(location: Location, state: State | None = None, *, tables: Iterable[str] | None = None,
               config: Mapping[str, Any] | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the views of ``tables`` (default: all) over the
    snapshot ``state`` (default: now) of the lake (:func:`lake.reader.open_lake`)."""
    from lake.reader import connect

    con = connect(config)
    try:
        add_views(con, location, state, tables)
    except BaseException:
        con.close()
        raise
    return con


def add_views(con: duckdb.DuckDBPyConnection, location: Location, state: State | None = None,
              tables: Iterable[str] | None = None) -> None:
    """The views of ``tables`` (default: all) on ``con`` over the snapshot ``state`` (default:
    now) of the lake."""
    from lake.reader import TABLES
    from lake.reader import add_views as folder_views

    chosen = TABLES if tables is None else tables
    if not is_remote(location):
        folder_views(con, Path(location), state, chosen)
        return
    from lake.object_reader import add_object_views

    manifest = _manifest(location)
    add_object_views(con, manifest.store, state or snapshot(location), chosen,
                     via=_settings(None).s3_reader)


def _manifest(location: Location) -> ObjectManifest:
    from lake.object_manifest import ObjectManifest
    from lake.storage import open_store

    url = str(location)
    found = _MANIFESTS.get(url)
    if found is None:
        found = _MANIFESTS.setdefault(url, ObjectManifest(open_store(url, _settings(None))))
    return found


def _object_mark(url: str, seq: int) -> Mark:
    from lake.object_manifest import entry_key

    if (url, seq) not in _MARKS:
        entry = json.loads(_manifest(url).store.read(entry_key(seq)))
        _MARKS[url, seq] = (entry["hash"], datetime.fromisoformat(entry["at"]))
    return _MARKS[url, seq]


def _manifest_lines(lake: Path) -> list[bytes]:
    """The complete lines of a local manifest (a torn last line ignored)."""
    try:
        data = (lake / MANIFEST_DIR / "manifest.jsonl").read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise LakeError(f"cannot read the manifest of {lake} ({exc.strerror}): "
                        "check its permissions") from exc
    complete = data.rpartition(b"\n")[0]
    return complete.split(b"\n") if complete else []


def _settings(settings: LakeSettings | None) -> LakeSettings:
    if settings is not None:
        return settings
    from aftershock.settings import load_settings

    return load_settings().lake
