"""``aftershock spool ship``: the guard's decisions -> Kafka through the emitter SDK.

The live spool file is taken away under its lock (``guard.spool.take``), then each batch is sent
with an :class:`~aftershock.sdk.emitter.Emitter` (validated against the contract and redacted
there) and removed once every event is acknowledged. What the broker did not acknowledge stays in
the SDK's own durable spool (``<spool>/sdk``), replayed first by the next ship; events that do not
fit the contract go to ``<spool>/rejected.ndjson`` with the reason. Event ids are stable, so a
batch sent twice lands once (the worker dedupes on ``(source, event_id)``).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aftershock.errors import EventError
from guard import spool


@dataclass
class Shipped:
    sent: int = 0
    rejected: int = 0
    waiting: int = 0  # kept in the SDK spool: the broker did not acknowledge them


def ship(spool_dir: Path, settings: Any) -> Shipped:
    from aftershock.sdk.emitter import Emitter

    spool.take(spool_dir, f"batch-{time.time_ns()}.ndjson")
    batches = sorted(spool_dir.glob("batch-*.ndjson"))
    result = Shipped()
    emitter = Emitter.from_settings(settings, spool_dir / "sdk")
    try:
        for batch in batches:
            _send(batch, emitter, spool_dir, result)
            emitter.flush()
            batch.unlink()
        result.waiting = emitter.spooled
    finally:
        emitter.close()
    return result


def _send(batch: Path, emitter: Any, spool_dir: Path, result: Shipped) -> None:
    with batch.open("rb") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                emitter.emit(json.loads(line))
                result.sent += 1
            except (EventError, ValueError) as exc:
                _reject(spool_dir, line, f"{batch.name}:{number}: {exc}")
                result.rejected += 1


def _reject(spool_dir: Path, line: bytes, reason: str) -> None:
    record = {"reason": reason, "line": line.decode("utf-8", "replace").rstrip("\n")}
    with (spool_dir / "rejected.ndjson").open("a", encoding="utf-8") as out:
        out.write(json.dumps(record) + "\n")
