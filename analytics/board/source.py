"""Which stored model a dashboard reads: the newest one of the lake, current or not.

A page never builds the model (``analytics.store`` does, minutes at scale). It reads the stored
model of the lake's current manifest entry when there is one (``fresh``); else the newest stored
model of an earlier entry built with the same parameters and code (``stale``: shown as "data as
of <that entry's time>" while :mod:`analytics.board.refresh` builds the current one); else there
is nothing to show yet (``none``). A folder that does not exist is ``missing``; a lake with no
committed entry is ``empty``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Literal

from aftershock.errors import LakeError
from aftershock.settings import QuerySettings
from analytics.model import LinkParams
from analytics.store import MODEL_DIR, model_path
from lake.manifest import MANIFEST_DIR, State

Status = Literal["missing", "empty", "none", "stale", "fresh"]


@dataclass(frozen=True)
class Source:
    lake: Path
    params: LinkParams
    min_confidence: float
    status: Status
    seq: int = 0
    """The lake's current manifest entry."""
    model: Path | None = None
    model_seq: int | None = None
    model_at: datetime | None = None
    """When the manifest entry the model reflects was committed."""
    model_head: str | None = None
    """The manifest head hash of the entry the model was built from."""
    limits: QuerySettings = field(default_factory=QuerySettings, compare=False)
    """Timeout and memory cap of every connection a page opens over this source."""

    @property
    def key(self) -> str:
        """Changes whenever what the pages would show may change (for caches)."""
        return f"{self.lake.resolve()}|{self.model}|{self.seq}|{self.params}|{self.min_confidence}"

    @property
    def model_key(self) -> str:
        """Changes only when another stored model is read (not with every commit)."""
        return f"{self.lake.resolve()}|{self.model}|{self.params}|{self.min_confidence}"

    @property
    def readable(self) -> bool:
        return self.model is not None


def locate(lake: Path, params: LinkParams, min_confidence: float,
           limits: QuerySettings | None = None, ready: Callable[[Path], bool] | None = None) -> Source:
    """The newest stored model of ``lake`` for these parameters, and how current it is; pages
    read it under ``limits`` (default: :class:`QuerySettings` defaults). With ``ready``, the
    newest model for which ``ready(model file)`` holds (e.g. its pages' figures are stored), else
    the newest one."""
    found = _locate(lake, params, min_confidence, ready) if ready else None
    if found is None or found.model is None:
        found = _locate(lake, params, min_confidence)
    return replace(found, limits=limits or QuerySettings())


def _locate(lake: Path, params: LinkParams, min_confidence: float,
            ready: Callable[[Path], bool] | None = None) -> Source:
    if not lake.is_dir():
        return Source(lake, params, min_confidence, "missing")
    state, marks = _history(lake)
    if state.seq == 0:
        return Source(lake, params, min_confidence, "empty")
    for seq in sorted(_stored_seqs(lake, state.seq), reverse=True):
        head, at = marks[seq]
        path = model_path(lake, State(seq=seq, head=head), params, min_confidence)
        if path.exists() and (ready is None or ready(path)):
            status: Status = "fresh" if seq == state.seq else "stale"
            return Source(lake, params, min_confidence, status, state.seq, path, seq, at, head)
    return Source(lake, params, min_confidence, "none", state.seq)


def _history(lake: Path) -> tuple[State, dict[int, tuple[str, datetime]]]:
    """The committed state and, per entry, its hash and commit time (a torn last line ignored)."""
    state = State()
    marks: dict[int, tuple[str, datetime]] = {}
    try:
        data = (lake / MANIFEST_DIR / "manifest.jsonl").read_bytes()
    except FileNotFoundError:
        return state, marks
    except OSError as exc:
        raise LakeError(f"cannot read the manifest of {lake} ({exc.strerror}): "
                        "check its permissions") from exc
    complete = data.rpartition(b"\n")[0]
    for number, line in enumerate(complete.split(b"\n") if complete else [], start=1):
        entry = json.loads(line)
        state.apply(entry, number)
        marks[state.seq] = (state.head, datetime.fromisoformat(entry["at"]))
    return state, marks


def _stored_seqs(lake: Path, newest: int) -> set[int]:
    """Manifest entries (up to ``newest``) some stored model file is named after."""
    folder = lake / MODEL_DIR
    found: set[int] = set()
    if not folder.is_dir():
        return found
    for entry in folder.iterdir():
        first = entry.name.split("-", 1)[0]
        if entry.suffix == ".duckdb" and first.isdigit() and int(first) <= newest:
            found.add(int(first))
    return found
