"""Which stored model a dashboard reads: the newest one of the lake, current or not.

A page never builds the model (``analytics.store`` does, minutes at scale). It reads the stored
model of the lake's current manifest entry when there is one (``fresh``); else the newest stored
model of an earlier entry built with the same parameters and code (``stale``: shown as "data as
of <that entry's time>" while :mod:`analytics.board.refresh` builds the current one); else there
is nothing to show yet (``none``). A folder that does not exist is ``missing``; a lake with no
committed entry is ``empty``. A lake on object storage (``s3://``) is read through its object
manifest; its stored models are in its local cache folder (:func:`lake.readers.local_dir`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Literal

from aftershock.settings import IngestSettings, QuerySettings
from analytics.model import LinkParams
from analytics.store import model_folder, model_path
from lake.manifest import State
from lake.readers import Location, exists, history, name

Status = Literal["missing", "empty", "none", "stale", "fresh"]


@dataclass(frozen=True)
class Source:
    lake: Location
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
    timestamps: IngestSettings = field(default_factory=IngestSettings, compare=False)
    """The plausible window for timestamps (AFTERSHOCK_INGEST__TIMESTAMP_MAX_*): a deployment
    dated outside it does not stretch the default period, as in ``aftershock report``."""

    @property
    def key(self) -> str:
        """Changes whenever what the pages would show may change (for caches)."""
        return f"{name(self.lake)}|{self.model}|{self.seq}|{self.params}|{self.min_confidence}"

    @property
    def model_key(self) -> str:
        """Changes only when another stored model is read (not with every commit)."""
        return f"{name(self.lake)}|{self.model}|{self.params}|{self.min_confidence}"

    @property
    def readable(self) -> bool:
        return self.model is not None


def locate(lake: Location, params: LinkParams, min_confidence: float,
           limits: QuerySettings | None = None, ready: Callable[[Path], bool] | None = None,
           timestamps: IngestSettings | None = None) -> Source:
    """The newest stored model of ``lake`` for these parameters, and how current it is; pages
    read it under ``limits`` (default: :class:`QuerySettings` defaults) with the plausible window
    of ``timestamps`` (default: :class:`IngestSettings` defaults). With ``ready``, the
    newest model for which ``ready(model file)`` holds (e.g. its pages' figures are stored), else
    the newest one."""
    found = _locate(lake, params, min_confidence, ready) if ready else None
    if found is None or found.model is None:
        found = _locate(lake, params, min_confidence)
    return replace(found, limits=limits or QuerySettings(), timestamps=timestamps or IngestSettings())


def _locate(lake: Location, params: LinkParams, min_confidence: float,
            ready: Callable[[Path], bool] | None = None) -> Source:
    if not exists(lake):
        return Source(lake, params, min_confidence, "missing")
    state, mark = history(lake)
    if state.seq == 0:
        return Source(lake, params, min_confidence, "empty")
    for seq in sorted(_stored_seqs(lake, state.seq), reverse=True):
        head, at = mark(seq)
        path = model_path(lake, State(seq=seq, head=head), params, min_confidence)
        if path.exists() and (ready is None or ready(path)):
            status: Status = "fresh" if seq == state.seq else "stale"
            return Source(lake, params, min_confidence, status, state.seq, path, seq, at, head)
    return Source(lake, params, min_confidence, "none", state.seq)


def _stored_seqs(lake: Location, newest: int) -> set[int]:
    """Manifest entries (up to ``newest``) some stored model file is named after."""
    folder = model_folder(lake)
    found: set[int] = set()
    if not folder.is_dir():
        return found
    for entry in folder.iterdir():
        first = entry.name.split("-", 1)[0]
        if entry.suffix == ".duckdb" and first.isdigit() and int(first) <= newest:
            found.add(int(first))
    return found
