"""The read API of a lake on object storage: the views of :mod:`lake.reader` over its objects.

The file list comes from the object manifest (one listing plus one read per entry not seen yet);
DuckDB then reads the Parquet objects directly through an fsspec filesystem registered on the
connection (s3fs, with the store's endpoint and the AWS credential chain), so no DuckDB extension
is needed (the ``httpfs`` extension must match DuckDB's exact version and is not always
installable). A local store reads its files in place.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Any

import duckdb

from aftershock.errors import LakeError
from lake.manifest import State
from lake.object_manifest import ObjectManifest
from lake.reader import TABLES, connect, create_views
from lake.storage import SCHEME, S3Store, Store

_WRITTEN = datetime(2000, 1, 1, tzinfo=UTC)  # the modification time given for a lake's objects


def open_object_lake(store: Store, state: State | None = None, *, tables: Iterable[str] = TABLES,
                     config: Mapping[str, Any] | None = None,
                     via: str = "s3fs") -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the views of ``tables`` over the snapshot ``state``
    (default: the manifest now) of the lake in ``store``; objects on S3 are read through ``via``
    (:func:`s3_filesystem`)."""
    con = connect(config)
    try:
        add_object_views(con, store, state, tables, via)
    except BaseException:
        con.close()
        raise
    return con


def add_object_views(con: duckdb.DuckDBPyConnection, store: Store, state: State | None = None,
                     tables: Iterable[str] = TABLES, via: str = "s3fs") -> None:
    """The views of ``tables`` on ``con`` over the snapshot ``state`` (default: now) of the lake
    in ``store`` (see :func:`open_object_lake`)."""
    state = state or ObjectManifest(store).refresh()
    if isinstance(store, S3Store):
        sizes = {store.uri(path).removeprefix(SCHEME): int(ref["bytes"])
                 for path, ref in state.live.items()}
        con.register_filesystem(s3_filesystem(store, via, sizes))
    create_views(con, state, store.uri, tables)


def s3_filesystem(store: S3Store, via: str = "s3fs", sizes: Mapping[str, int] | None = None) -> Any:
    """An fsspec filesystem for the ``s3://`` URIs of ``store``: s3fs (``via="s3fs"``) or
    pyarrow's S3 filesystem behind fsspec's wrapper (``via="pyarrow"``); endpoint as configured,
    else the AWS chain's. The pyarrow one answers the size and time of the objects in ``sizes``
    (``bucket/key`` -> bytes, from the manifest) without a request (:func:`_known_objects`)."""
    try:
        if via == "pyarrow":
            return _known_objects()(_pyarrow_s3(store), sizes or {})
        import s3fs
    except ImportError:
        raise LakeError("reading a lake on s3:// needs the s3 extra: pip install "
                        "'aftershock[s3]'") from None
    client_kwargs = {"endpoint_url": store.endpoint_url} if store.endpoint_url else {}
    return s3fs.S3FileSystem(client_kwargs=client_kwargs)


def _pyarrow_s3(store: S3Store) -> Any:
    import pyarrow.fs as pafs

    endpoint = store.endpoint_url or os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get(
        "AWS_ENDPOINT_URL")
    options: dict[str, Any] = {}
    if endpoint:
        scheme, _, host = endpoint.partition("://")
        options = {"endpoint_override": host, "scheme": scheme}
    return pafs.S3FileSystem(**options)


@cache
def _known_objects() -> Any:
    """fsspec's wrapper of a pyarrow filesystem that answers ``info`` (size, ``exists``) and
    ``modified`` of the snapshot's objects from the manifest. DuckDB asks each of them for every
    file every time a query scans it (a HEAD request each); the lake's data objects never change
    once written (every write has a name of its own), so the manifest's size is the answer and
    any fixed time is a valid one. Opening one of them costs nothing until its first read (the
    store's open is a HEAD request, and DuckDB opens every file of a view for each scan while
    serving most reads from its own cache). Other paths are asked of the store."""
    from fsspec.implementations.arrow import ArrowFSWrapper
    from fsspec.spec import AbstractBufferedFile

    class LazyObject(AbstractBufferedFile):  # type: ignore[misc]
        """An object of known size, opened in the store at its first read."""

        def __init__(self, fs: Any, path: str, size: int) -> None:
            super().__init__(fs, path, mode="rb", size=size, cache_type="none")
            self.stream: Any = None

        def _fetch_range(self, start: int, end: int) -> bytes:
            if self.stream is None:
                self.stream = self.fs.fs.open_input_file(self.fs._strip_protocol(self.path))
            data: bytes = self.stream.read_at(end - start, start)
            return data

        def close(self) -> None:
            if self.stream is not None:
                self.stream.close()
            super().close()

    class KnownObjects(ArrowFSWrapper):  # type: ignore[misc]  # fsspec has no type hints
        cachable = False  # fsspec would otherwise share one instance per filesystem arguments

        def __init__(self, fs: Any, sizes: Mapping[str, int]) -> None:
            super().__init__(fs)
            self.sizes = dict(sizes)

        def info(self, path: str, **kwargs: Any) -> dict[str, Any]:
            key = self._strip_protocol(path)
            if key in self.sizes:
                return {"name": key, "size": self.sizes[key], "type": "file"}
            found: dict[str, Any] = super().info(path, **kwargs)
            return found

        def _open(self, path: str, mode: str = "rb", **kwargs: Any) -> Any:
            key = self._strip_protocol(path)
            if mode == "rb" and key in self.sizes:
                return LazyObject(self, key, self.sizes[key])
            return super()._open(path, mode, **kwargs)

        def modified(self, path: str) -> datetime:
            if self._strip_protocol(path) in self.sizes:
                return _WRITTEN
            stamp: datetime = super().modified(path)
            return stamp

    return KnownObjects
