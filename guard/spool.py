"""The guard's durable local record of decisions: ``<guard home>/spool/decisions.ndjson``.

Each decision is one JSON line appended under an exclusive ``flock`` in one ``write`` and
``fsync``'d before the hook answers. ``aftershock spool ship`` takes the file away by renaming it
to ``batch-<ns>.ndjson`` under the same lock (a hook that opened the old name sees the inode
change and opens the new file), so appends and shipping never lose a line.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path
from typing import Any

from guard.home import home

FILE = "decisions.ndjson"
__all__ = ["FILE", "append", "home", "take"]


_ATTEMPTS = 10_000


def append(spool_dir: Path, event: dict[str, Any]) -> None:
    """Append one event, durably."""
    line = json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"
    spool_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = spool_dir / FILE
    for _ in range(_ATTEMPTS):  # each lost race means a take renamed the file meanwhile
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            if _same_file(fd, path):
                os.write(fd, line)
                os.fsync(fd)
                return
        finally:
            os.close(fd)
    raise OSError(f"{path} keeps being replaced while appending")


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.fstat(fd).st_ino == os.stat(path).st_ino
    except FileNotFoundError:
        return False


def take(spool_dir: Path, name: str) -> Path | None:
    """Rename the live file to ``name`` (under the lock); None when there is nothing to take."""
    path = spool_dir / FILE
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        if not _same_file(fd, path) or os.fstat(fd).st_size == 0:
            return None
        target = spool_dir / name
        os.rename(path, target)
        return target
    finally:
        os.close(fd)
