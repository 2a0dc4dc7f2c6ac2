"""Immutable Parquet files: names, atomic publication, hashes.

A file is written whole to ``_staging/`` (same file system), fsynced, renamed into its
``event_type=<t>/date=<YYYY-MM-DD>/`` folder without overwriting anything, and the folder is
fsynced. Names carry the topic, partition and the first and last offset of the batch:
``<topic>+<partition>+<first>+<last>.parquet`` (offsets zero-padded so names sort by offset).

Landed files are encoded for the writer's speed: dictionary pages only for the low-cardinality
envelope columns and statistics only for the columns readers filter by (a batch writes one file
per day its events occurred on, and late events make many small files, whose fixed per-column
cost this keeps down). Compaction rewrites them encoded for reading (every column dictionary
encoded where it pays, statistics on all).
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from aftershock.errors import LakeError
from aftershock.fsutil import fsync_dir
from lake import crashpoints

if TYPE_CHECKING:
    import pyarrow as pa

STAGING = "_staging"
LOW_CARDINALITY = ("event_type", "source", "service_name", "deployment_environment_name",
                   "cloud_region", "cell", "schema_version", "_topic", "reason", "error_class")
FILTERED = ("occurred_at", "_offset", "_ingested_at")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
COMPACTED = re.compile(r"compacted\+[0-9a-f]{12}\+\d+\.parquet")  # a compaction's output file


class ManifestConflict(LakeError):
    """Another writer owns this range: an entry does not start where its partition's last entry
    ended, or this writer's files were removed as leftovers (the batch is dropped)."""


@dataclass(frozen=True, slots=True)
class WrittenFile:
    """A published file: lake-relative path, SHA-256 of its bytes, size and row count."""

    path: str
    sha256: str
    bytes: int
    rows: int
    table: str


def partition_dir(table: str, day: str) -> str:
    return f"event_type={table}/date={day}"


_DAY = re.compile(r"(?:^|/)date=(\d{4}-\d{2}-\d{2})/")


def within_days(paths: list[str], first: str, last: str) -> list[str]:
    """The paths (local or object URIs) in ``date=`` folders from ``first`` to ``last`` (ISO days,
    inclusive), and those in no ``date=`` folder (such as a view's schema file). Every copy of an
    event lands in the folder of its own ``occurred_at`` day, so this keeps all of them."""
    kept = []
    for path in paths:
        day = _DAY.search(path)
        if day is None or first <= day.group(1) <= last:
            kept.append(path)
    return kept


def partition_prefix(topic: str, partition: int) -> str:
    """The start of every batch file name of (topic, partition)."""
    return f"{_UNSAFE.sub('_', topic)}+{partition}+"


def batch_name(topic: str, partition: int, first: int, last: int) -> str:
    """The file name of a batch: topic, partition, first and last offset."""
    return f"{partition_prefix(topic, partition)}{first:020d}+{last:020d}.parquet"


def parquet_bytes(table: pa.Table, row_group_rows: int, for_reading: bool = False) -> bytes:
    """``table`` as zstd-compressed Parquet bytes, encoded for the writer's speed unless
    ``for_reading`` (see the module doc)."""
    import pyarrow as pa  # here: the worker's poll process never writes Parquet
    import pyarrow.parquet as pq

    names = set(table.column_names)
    options = {} if for_reading else {
        "use_dictionary": [c for c in LOW_CARDINALITY if c in names],
        "write_statistics": [c for c in FILTERED if c in names]}
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd", row_group_size=row_group_rows, **options)
    return bytes(sink.getvalue().to_pybytes())


def publish(lake: Path, rel_path: str, data: bytes, rows: int, table: str) -> WrittenFile:
    """Write ``data`` to ``lake/rel_path`` atomically; never overwrites an existing file."""
    target = lake / rel_path
    staging = lake / STAGING / f"{os.getpid()}-{target.name}.tmp"
    try:
        staging.parent.mkdir(parents=True, exist_ok=True)
        _write_synced(staging, data)
        crashpoints.reach("mid_write")
        target.parent.mkdir(parents=True, exist_ok=True)
        _link_no_overwrite(staging, target)
        fsync_dir(target.parent)
    except (OSError, LakeError) as exc:
        staging.unlink(missing_ok=True)
        if isinstance(exc, LakeError):
            raise
        raise LakeError(f"{target}: cannot write ({exc.strerror or exc}); check free space and "
                        "permissions of the lake folder") from exc
    return WrittenFile(rel_path, hashlib.sha256(data).hexdigest(), len(data), rows, table)


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _link_no_overwrite(staging: Path, target: Path) -> None:
    try:
        os.link(staging, target)
    except FileNotFoundError:
        raise ManifestConflict(f"{staging} was removed by the partition's new owner (batch "
                               "dropped)") from None
    except FileExistsError:
        staging.unlink()
        raise LakeError(f"{target} already exists: lake files are never overwritten; run "
                        "`aftershock verify` to see whether it is an uncommitted leftover") from None
    staging.unlink()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
