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
from typing import Any

import duckdb

from aftershock.errors import LakeError
from lake.manifest import State
from lake.object_manifest import ObjectManifest
from lake.reader import TABLES, connect, create_views
from lake.storage import S3Store, Store


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
    if isinstance(store, S3Store):
        con.register_filesystem(s3_filesystem(store, via))
    create_views(con, state or ObjectManifest(store).refresh(), store.uri, tables)


def s3_filesystem(store: S3Store, via: str = "s3fs") -> Any:
    """An fsspec filesystem for the ``s3://`` URIs of ``store``: s3fs (``via="s3fs"``) or
    pyarrow's S3 filesystem behind fsspec's wrapper (``via="pyarrow"``); endpoint as configured,
    else the AWS chain's."""
    try:
        if via == "pyarrow":
            return _pyarrow_s3(store)
        import s3fs
    except ImportError:
        raise LakeError("reading a lake on s3:// needs the s3 extra: pip install "
                        "'aftershock[s3]'") from None
    client_kwargs = {"endpoint_url": store.endpoint_url} if store.endpoint_url else {}
    return s3fs.S3FileSystem(client_kwargs=client_kwargs)


def _pyarrow_s3(store: S3Store) -> Any:
    import pyarrow.fs as pafs
    from fsspec.implementations.arrow import ArrowFSWrapper

    endpoint = store.endpoint_url or os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get(
        "AWS_ENDPOINT_URL")
    options: dict[str, Any] = {}
    if endpoint:
        scheme, _, host = endpoint.partition("://")
        options = {"endpoint_override": host, "scheme": scheme}
    return ArrowFSWrapper(pafs.S3FileSystem(**options))
