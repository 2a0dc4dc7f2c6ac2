"""Where simulated events go: an NDJSON file, the Parquet lake, or the audit topics on Kafka."""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from pydantic_core import to_json

from aftershock.errors import BrokerError, ConfigError, LakeError

Progress = Callable[[int], None]
_CHUNK = 20_000


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: simulated events hold no reference cycles, and the
    collector's repeated scans of the buffered days cost a sixth of the run time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def encode(events: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """One JSON line per event (pydantic-core's serializer: same bytes for the same dict)."""
    for event in events:
        yield to_json(event) + b"\n"


def write_ndjson(stream: IO[bytes], events: Iterable[dict[str, Any]], progress: Progress) -> int:
    """Write events as NDJSON in chunks; returns how many were written."""
    count, chunk = 0, []
    for line in encode(events):
        chunk.append(line)
        if len(chunk) == _CHUNK:
            stream.write(b"".join(chunk))
            count += len(chunk)
            chunk = []
            progress(count)
    stream.write(b"".join(chunk))
    return count + len(chunk)


def to_file(path: Path, events: Iterable[dict[str, Any]], progress: Progress) -> int:
    try:
        with path.open("wb", buffering=1 << 20) as stream:
            return write_ndjson(stream, events, progress)
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror}") from exc


def to_lake(lake_dir: Path | str, events: Iterable[dict[str, Any]], progress: Progress) -> int:
    """Validate every event and land it through the lake's own landing code."""
    try:
        from ingest.backfill import land_events
    except ImportError as exc:
        raise LakeError("the lake's backfill module (ingest.backfill) is not available") from exc
    from schemas.event import parse_obj

    seen = [0]

    def models() -> Iterator[Any]:
        for event in events:
            seen[0] += 1
            if seen[0] % _CHUNK == 0:
                progress(seen[0])
            yield parse_obj(event)

    result = land_events(lake_dir, models())
    if result.dead:
        raise LakeError(f"{result.dead} of {seen[0]} simulated events became dead letters in {lake_dir}; "
                        "see the lake's dead_letter view")
    return seen[0]


def to_kafka(settings: Any, events: Iterable[dict[str, Any]], progress: Progress) -> int:
    """Send every event through the emitter SDK (validated, redacted, keyed per lifecycle).

    Fails when any event is still undelivered at the end; rerunning with the same seed sends the
    same events again, and the lake dedupes them by (source, event_id).
    """
    import tempfile

    from aftershock.sdk.emitter import Emitter

    count = 0
    with tempfile.TemporaryDirectory(prefix="aftershock-simulate-spool-") as spool:
        emitter = Emitter.from_settings(settings, Path(spool), client_id="aftershock-simulator")
        try:
            for count, event in enumerate(events, start=1):
                emitter.emit(event)
                if count % _CHUNK == 0:
                    emitter.flush(timeout=60)
                    progress(count)
        finally:
            emitter.close()
        if emitter.spooled:
            raise BrokerError(f"{emitter.spooled} of {count} events were not acknowledged by "
                              f"{emitter.bootstrap_servers}; start the broker and rerun with the same seed")
    return count


def stderr_progress(total_hint: str) -> Progress:
    started = time.monotonic()

    def report(count: int) -> None:
        rate = count / max(time.monotonic() - started, 1e-9)
        print(f"simulate: {count:,} events ({rate:,.0f}/s){total_hint}", file=sys.stderr, flush=True)

    return report
