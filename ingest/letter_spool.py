"""Dead letters waiting for their topic: durable files in one folder, sent again later.

Each spooled group of letters is one file ``letters-<ns>-<pid>.jsonl`` (one letter a line: key,
value and header values base64-encoded, since a dead letter's bytes are whatever was received),
written whole under a temporary name, fsync'd, renamed and its folder fsync'd before
:meth:`LetterSpool.add` returns. Several workers may share the folder: a file is taken for
sending under an exclusive ``flock`` (a file another process holds is skipped) and removed once
every letter in it reached the topic, so a letter is sent at least once (a repeat carries the same
``__connect.errors.*`` headers).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

from aftershock.errors import LakeError
from aftershock.fsutil import fsync_dir


class Letter(NamedTuple):
    """One dead-letter topic record as sent."""

    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def to_line(letter: Letter) -> bytes:
    body = {"key": None if letter.key is None else _b64(letter.key), "value": _b64(letter.value),
            "headers": [[name, _b64(value)] for name, value in letter.headers]}
    return json.dumps(body, separators=(",", ":")).encode() + b"\n"


def from_line(line: bytes) -> Letter:
    body = json.loads(line)
    key = None if body["key"] is None else base64.b64decode(body["key"])
    headers = tuple((name, base64.b64decode(value)) for name, value in body["headers"])
    return Letter(key, base64.b64decode(body["value"]), headers)


class LetterSpool:
    """The spool folder ``directory`` (created on first use)."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory

    def add(self, letters: Sequence[Letter]) -> Path:
        """Keep ``letters`` durably (one new file); raises LakeError if the folder cannot be
        written (then the batch is not committed, and is landed again after a restart)."""
        name = f"letters-{time.time_ns():020d}-{os.getpid()}.jsonl"
        final, staging = self.dir / name, self.dir / f".{name}.tmp"
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            with open(staging, "wb") as out:
                out.write(b"".join(map(to_line, letters)))
                out.flush()
                os.fsync(out.fileno())
            os.replace(staging, final)
            fsync_dir(self.dir)
        except OSError as exc:
            staging.unlink(missing_ok=True)
            raise LakeError(f"{final}: cannot spool dead letters ({exc.strerror or exc}); check free "
                            "space and permissions, or set AFTERSHOCK_INGEST__DEAD_LETTER_SPOOL_DIR"
                            ) from exc
        return final

    def files(self) -> list[Path]:
        """The spooled files, oldest first."""
        if not self.dir.is_dir():
            return []
        return sorted(self.dir.glob("letters-*.jsonl"))

    def count(self) -> int:
        """Letters waiting in the folder (every process's)."""
        total = 0
        for path in self.files():
            with contextlib.suppress(OSError):
                total += path.read_bytes().count(b"\n")
        return total

    @contextlib.contextmanager
    def taken(self, path: Path) -> Iterator[list[Letter] | None]:
        """The letters of ``path`` while this process holds it (None: another process does, or it
        is gone); :meth:`remove` it inside once sent."""
        try:
            handle = open(path, "rb")  # held (and locked) while the letters are sent
        except FileNotFoundError:
            yield None
            return
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield None
                return
            if not path.exists():  # sent and removed by another process meanwhile
                yield None
                return
            yield [from_line(line) for line in handle if line.strip()]

    def remove(self, path: Path) -> None:
        path.unlink(missing_ok=True)
        fsync_dir(self.dir)
