"""Land events without a broker: ``land_events`` (the lake contract) and NDJSON backfill.

Both use the worker's landing code. Events landed this way carry the lineage topic ``backfill``,
partition 0 and consecutive offsets continued from the manifest, so every backfill is one more
contiguous range of a single pseudo-partition and the manifest's range check still holds.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

from aftershock.errors import LakeError
from aftershock.settings import IngestSettings
from ingest.deadletters import letter
from ingest.validate import Limits, Rejected, classify, enforce
from lake.arrow_format import DeadLetter
from lake.backend import Writer, open_writer
from lake.manifest import ManifestConflict
from lake.storage import is_remote
from lake.writer import Accumulator, LakeWriter
from schemas.event import Event

BACKFILL_TOPIC = "backfill"
CHUNK_EVENTS = 100_000
SUB_CHUNK = 2_000
_RETRIES = 5


@dataclass(frozen=True)
class LandResult:
    """What one call landed: events written, in-batch duplicates dropped, dead letters,
    files published and manifest entries committed."""

    events: int = 0
    duplicates: int = 0
    dead: int = 0
    files: int = 0
    entries: int = 0

    def __add__(self, other: LandResult) -> LandResult:
        return LandResult(self.events + other.events, self.duplicates + other.duplicates,
                          self.dead + other.dead, self.files + other.files,
                          self.entries + other.entries)


def land_events(lake_dir: Path | str, events: Iterable[Event], settings: IngestSettings | None = None,
                chunk: int = CHUNK_EVENTS) -> LandResult:
    """Land already-validated ``events`` into ``lake_dir`` (created if missing): one manifest
    entry per ``chunk`` events, converted to Arrow ``SUB_CHUNK`` at a time, so a lazy iterable
    of millions of events needs memory for one chunk's Arrow tables only."""
    lander = _writer(lake_dir, settings or IngestSettings())
    lander.remove_orphans([(BACKFILL_TOPIC, 0)])
    result, items = LandResult(), iter(events)
    while True:
        acc = Accumulator(BACKFILL_TOPIC, 0, datetime.now(UTC))
        count = _fill(acc, items, chunk)
        if count == 0:
            return result
        result += _commit(lander, acc, count)


def _writer(lake_dir: Path | str, settings: IngestSettings) -> Writer:
    """The writer of a lake folder, or of a lake on object storage (``s3://`` text), which
    anchors its commits as the environment's lake settings say."""
    if isinstance(lake_dir, str) and is_remote(lake_dir):
        from aftershock.settings import load_settings

        return open_writer(lake_dir, settings, load_settings().lake)
    return LakeWriter(Path(lake_dir), settings)


def _fill(acc: Accumulator, items: Iterator[Event], chunk: int) -> int:
    """Feed up to ``chunk`` events into ``acc`` with offsets 0, 1, ...; returns how many."""
    count = 0
    while count < chunk and (part := list(islice(items, min(SUB_CHUNK, chunk - count)))):
        acc.add(part, range(count, count + len(part)))
        count += len(part)
    return count


def _land_chunk(lander: Writer, events: Sequence[Event], dead: Sequence[DeadLetter]) -> LandResult:
    acc = Accumulator(BACKFILL_TOPIC, 0, datetime.now(UTC))
    acc.add(events, range(len(events)))
    acc.add_dead(dead)
    return _commit(lander, acc, len(events) + len(dead))


def _commit(lander: Writer, acc: Accumulator, size: int) -> LandResult:
    """Commit ``acc`` as the next ``size`` offsets of the backfill pseudo-partition."""
    base = 0
    for _attempt in range(_RETRIES):
        start = lander.manifest.refresh().positions.get((BACKFILL_TOPIC, 0), 0)
        acc.rebase(start - base)
        base = start
        try:
            landed = lander.commit(acc, start, start + size)
        except ManifestConflict:
            continue  # another backfill took this range: take the next one
        return LandResult(landed.events, landed.duplicates, landed.dead,
                          len(landed.entry["files"]), 1)
    raise LakeError(f"{lander.lake}: backfill lost the manifest race {_RETRIES} times; retry")


def backfill_files(lake_dir: Path | str, paths: Sequence[Path], settings: IngestSettings,
                   progress: Callable[[int, int], None] | None = None) -> LandResult:
    """Land NDJSON files of native events; bad lines become dead letters naming file:line."""
    lander = _writer(lake_dir, settings)
    lander.remove_orphans([(BACKFILL_TOPIC, 0)])
    result, limits = LandResult(), Limits.of(settings)
    events: list[Event] = []
    dead: list[DeadLetter] = []
    for path in paths:
        for line_no, line in _lines(path):
            outcome = classify(line, limits)
            if isinstance(outcome, Rejected):
                enforce(settings.bad_data, outcome, f"{path}:{line_no}")
                dead.append(_dead_line(path, line_no, line, outcome))
            else:
                events.append(outcome)
            if len(events) + len(dead) >= settings.batch_max_records:
                result += _land_chunk(lander, events, dead)
                events, dead = [], []
            if progress and line_no % 10_000 == 0:
                progress(result.events + len(events), result.dead + len(dead))
    if events or dead:
        result += _land_chunk(lander, events, dead)
    return result


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    try:
        with open(path, "rb") as handle:
            for line_no, line in enumerate(handle, start=1):
                if line.strip():
                    yield line_no, line.rstrip(b"\r\n")
    except OSError as exc:
        raise LakeError(f"{path}: cannot read ({exc.strerror}); check the path") from exc


def _dead_line(path: Path, line_no: int, raw: bytes, why: Rejected) -> DeadLetter:
    print(f"aftershock: {path}:{line_no}: {why.reason}: {why.message}", file=sys.stderr)
    where = Rejected(why.reason, why.error_class, f"{path}:{line_no}: {why.message}")
    return letter(where, raw, None, datetime.now(UTC), f"file:{path}", 0, line_no)
