"""The few object operations the lake needs, on a local folder or an S3-compatible bucket.

Keys are ``/``-separated paths relative to the lake's root (``_manifest/entries/...``,
``event_type=change/date=.../x.parquet``). Every store offers:

- ``read(key)``: the bytes (``FileNotFoundError`` when absent);
- ``keys(prefix, after)``: the keys under ``prefix`` sorted, those after ``after`` only;
- ``put(key, data)``: write a whole object (atomic: readers see all of it or nothing);
- ``create(key, data)``: write only if ``key`` does not exist yet; ``False`` when it does. This is
  the commit primitive of the object manifest (:mod:`lake.object_manifest`): a local ``link``
  that refuses an existing name, and on S3 a ``PutObject`` with ``If-None-Match: *`` (HTTP 412
  when the key exists);
- ``delete(key)`` (absent: no error), ``modified(key)`` (last-modified time, UTC);
- ``uri(key)``: what DuckDB reads (a local path, or ``s3://bucket/prefix/key``).

:func:`open_store` resolves a ``--lake`` value: ``s3://bucket/prefix`` to :class:`S3Store`
(boto3; endpoint from ``AFTERSHOCK_LAKE__S3_ENDPOINT_URL``, else the standard
``AWS_ENDPOINT_URL``/``AWS_ENDPOINT_URL_S3``; region and credentials from the usual AWS chain,
never logged), anything else to :class:`LocalStore`.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from aftershock.errors import LakeError
from aftershock.fsutil import fsync_dir

if TYPE_CHECKING:
    from aftershock.settings import LakeSettings

SCHEME = "s3://"
_SCRATCH = "_staging"  # local stores stage whole objects here before linking them into place


class Store(Protocol):
    """A lake's objects (see the module docstring)."""

    @property
    def url(self) -> str: ...

    def read(self, key: str) -> bytes: ...

    def keys(self, prefix: str, after: str = "") -> list[str]: ...

    def put(self, key: str, data: bytes) -> None: ...

    def create(self, key: str, data: bytes) -> bool: ...

    def delete(self, key: str) -> None: ...

    def modified(self, key: str) -> datetime: ...

    def uri(self, key: str) -> str: ...


def is_remote(location: str | Path) -> bool:
    return str(location).startswith(SCHEME)


def open_store(location: str | Path, settings: LakeSettings | None = None) -> Store:
    """The store of a ``--lake`` value: ``s3://bucket[/prefix]`` or a local folder."""
    if not is_remote(location):
        return LocalStore(Path(location))
    bucket, _, prefix = str(location)[len(SCHEME):].partition("/")
    if not bucket:
        raise LakeError(f"--lake {location}: no bucket name (expected s3://bucket/prefix)")
    endpoint = settings.s3_endpoint_url if settings is not None else None
    return S3Store(bucket, prefix, endpoint_url=endpoint)


class LocalStore:
    """A lake in a local folder; ``create`` is a hard link that refuses an existing name."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def url(self) -> str:
        return str(self.root)

    def read(self, key: str) -> bytes:
        return (self.root / key).read_bytes()

    def keys(self, prefix: str, after: str = "") -> list[str]:
        folder, _, _ = prefix.rpartition("/")
        start = self.root / folder if folder else self.root
        found = [key for key in _walk(self.root, start) if key.startswith(prefix) and key > after]
        return sorted(found)

    def put(self, key: str, data: bytes) -> None:
        staged = self._stage(data)
        target = self.root / key
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, target)
        fsync_dir(target.parent)

    def create(self, key: str, data: bytes) -> bool:
        staged = self._stage(data)
        target = self.root / key
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(staged, target)
        except FileExistsError:
            return False
        finally:
            staged.unlink()
        fsync_dir(target.parent)
        return True

    def delete(self, key: str) -> None:
        (self.root / key).unlink(missing_ok=True)

    def modified(self, key: str) -> datetime:
        return datetime.fromtimestamp((self.root / key).stat().st_mtime, UTC)

    def uri(self, key: str) -> str:
        return str(self.root / key)

    def _stage(self, data: bytes) -> Path:
        scratch = self.root / _SCRATCH
        scratch.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=scratch, prefix=f"{os.getpid()}-", suffix=".tmp")
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        return Path(name)


def _walk(root: Path, start: Path) -> Iterator[str]:
    for folder, dirs, names in os.walk(start):
        rel = os.path.relpath(folder, root)
        if rel == ".":
            dirs[:] = [d for d in dirs if d != _SCRATCH]
        for name in names:
            yield name if rel == "." else f"{rel}/{name}".replace(os.sep, "/")


class S3Store:
    """A lake under ``s3://bucket/prefix`` of an S3-compatible service (boto3)."""

    def __init__(self, bucket: str, prefix: str = "", *, endpoint_url: str | None = None,
                 client: Any = None) -> None:
        self.bucket = bucket
        self.prefix = f"{prefix.strip('/')}/" if prefix.strip("/") else ""
        self.endpoint_url = endpoint_url
        self._client = client or _client(endpoint_url)

    @property
    def url(self) -> str:
        return f"{SCHEME}{self.bucket}/{self.prefix}".rstrip("/")

    def read(self, key: str) -> bytes:
        try:
            body = self._call("read", key, self._client.get_object, Bucket=self.bucket,
                              Key=self.prefix + key)
        except _Missing:
            raise FileNotFoundError(self.uri(key)) from None
        return bytes(body["Body"].read())

    def keys(self, prefix: str, after: str = "") -> list[str]:
        found: list[str] = []
        args = {"Bucket": self.bucket, "Prefix": self.prefix + prefix}
        if after:
            args["StartAfter"] = self.prefix + after
        paginator = self._client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(**args):
                found += [item["Key"][len(self.prefix):] for item in page.get("Contents", [])]
        except Exception as exc:  # botocore raises many unrelated types: name the operation
            raise _error("list", prefix, exc) from exc
        return found

    def put(self, key: str, data: bytes) -> None:
        self._call("write", key, self._client.put_object, Bucket=self.bucket,
                   Key=self.prefix + key, Body=data)

    def create(self, key: str, data: bytes) -> bool:
        try:
            self._call("create", key, self._client.put_object, Bucket=self.bucket,
                       Key=self.prefix + key, Body=data, IfNoneMatch="*")
        except _Exists:
            return False
        return True

    def delete(self, key: str) -> None:
        self._call("delete", key, self._client.delete_object, Bucket=self.bucket,
                   Key=self.prefix + key)

    def modified(self, key: str) -> datetime:
        try:
            head = self._call("stat", key, self._client.head_object, Bucket=self.bucket,
                              Key=self.prefix + key)
        except _Missing:
            raise FileNotFoundError(self.uri(key)) from None
        stamp: datetime = head["LastModified"]
        return stamp.astimezone(UTC)

    def uri(self, key: str) -> str:
        return f"{SCHEME}{self.bucket}/{self.prefix}{key}"

    def _call(self, what: str, key: str, method: Any, **args: Any) -> Any:
        try:
            return method(**args)
        except Exception as exc:  # botocore raises many unrelated types: classify, then name
            code = _code(exc)
            if code in ("PreconditionFailed", "ConditionalRequestConflict"):
                raise _Exists from None  # 409: a concurrent create of the key: the race is lost
            if code in ("NoSuchKey", "404", "NotFound"):
                raise _Missing from None
            raise _error(what, key, exc) from exc


class _Exists(Exception):
    pass


class _Missing(Exception):
    pass


def _code(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    return str(response.get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""


def _error(what: str, key: str, exc: Exception) -> LakeError:
    code = _code(exc) or type(exc).__name__
    return LakeError(f"object store: cannot {what} {key!r} ({code}): check the bucket, the "
                     "endpoint (AWS_ENDPOINT_URL) and the credentials of the AWS chain")


def _client(endpoint_url: str | None) -> Any:
    try:
        import boto3
    except ImportError:
        raise LakeError("a lake on s3:// needs the s3 extra: pip install 'aftershock[s3]'") from None
    return boto3.client("s3", endpoint_url=endpoint_url)
