"""One handed-off batch in the landing process: validate and redact it chunk by chunk into Arrow
tables and dead letters (:func:`prepare`), then send the dead letters to their topic, write the
files and commit the entry (:func:`finish`)."""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

import numpy as np

from aftershock.errors import LakeError
from aftershock.settings import IngestSettings
from ingest.deadletters import DeadLetterTopic, dead_letter, skipped_letter
from ingest.fast_path import lines_of
from ingest.handoff import Handoff, Records, unpack
from ingest.validate import Rejected, classify_lines, enforce, line_value
from lake.arrow_format import merge_tables, with_lineage
from lake.writer import Accumulator, LakeWriter

CHUNK_RECORDS = 8000  # records validated at a time at most (bounds memory; one call per chunk)


@dataclass(frozen=True)
class Validated:
    """A batch validated and ready to write, or the error that stopped it."""

    acc: Accumulator | None
    start: int
    next_offset: int
    error: Exception | None = None


def land(handoff: Handoff, fd: int, lander: LakeWriter, dlq: DeadLetterTopic, conf: IngestSettings
         ) -> tuple[str, Any]:
    """("landed", (events, duplicates, dead letters)) or ("error", the exception, picklable)."""
    return finish(prepare(handoff, fd, conf), lander, dlq)


def prepare(handoff: Handoff, fd: int, conf: IngestSettings) -> Validated:
    """Read the batch from its file and validate it (the file is closed and unmapped)."""
    try:
        records = unpack(handoff, fd)
    except Exception as exc:  # noqa: BLE001 - every error goes back to the poll process
        return Validated(None, handoff.start, handoff.next_offset, _picklable(exc))
    try:
        return Validated(validate(records, conf), records.start, records.next_offset)
    except Exception as exc:  # noqa: BLE001
        return Validated(None, records.start, records.next_offset, _picklable(exc))
    finally:
        records.close()


def finish(validated: Validated, lander: LakeWriter, dlq: DeadLetterTopic) -> tuple[str, Any]:
    """Send the dead letters, write the files, commit the entry: the answer for the poll process."""
    if validated.acc is None:
        return "error", validated.error
    try:
        dlq.send(validated.acc.dead)
        landed = lander.commit(validated.acc, validated.start, validated.next_offset)
    except Exception as exc:  # noqa: BLE001 - every error goes back to the poll process
        return "error", _picklable(exc)
    return "landed", (landed.events, landed.duplicates, landed.dead)


def _picklable(exc: Exception) -> Exception:
    try:
        pickle.loads(pickle.dumps(exc))  # noqa: S301 - our own bytes
    except Exception:  # noqa: BLE001
        return LakeError(f"landing failed: {type(exc).__name__}: {exc}")
    return exc


def validate(records: Records, conf: IngestSettings) -> Accumulator:
    """The batch's Arrow tables and dead letters, validated and redacted chunk by chunk."""
    acc = Accumulator(records.topic, records.partition, datetime.now(UTC))
    lines = lines_of(records.joined, records.lengths)
    offsets = np.frombuffer(records.offsets, dtype=np.int64)
    size = chunk_size(len(lines))
    for i in range(0, len(lines), size):
        chunk = lines.slice(i, size)
        outcome = classify_lines(chunk, conf.max_record_bytes)
        tables = {t: with_lineage(table, acc.lineage(offsets[i + rows]))
                  for t, (table, rows) in outcome.tables.items()}
        events, event_offsets, dead = [], [], []
        for j, result in outcome.others:
            record = _Record(records.topic, records.partition, int(offsets[i + j]),
                             line_value(chunk, j), records.keys[i + j], records.timestamps[i + j])
            if isinstance(result, Rejected):
                enforce(conf.bad_data, result, f"{record.topic}[{record.partition}]@{record.offset}")
                dead.append(dead_letter(record, result))
            else:
                events.append(result)
                event_offsets.append(record.offset)
        acc.add_tables(merge_tables(tables, acc.tables_of(events, event_offsets)))
        acc.add_dead(dead)
    for skipped in records.skipped:
        letter = skipped_letter(records.topic, records.partition, skipped)
        enforce(conf.bad_data, Rejected(letter.reason, letter.error_class, letter.error_message),
                f"{records.topic}[{records.partition}]@{skipped.start}")
        acc.add_dead([letter])
    return acc


def chunk_size(records: int) -> int:
    """Records per chunk: as few chunks as ``CHUNK_RECORDS`` allows, of equal sizes (10,000 records
    are read as 2 x 5,000, not 8,000 + 2,000: the same calls, a smaller largest chunk)."""
    chunks = max(1, -(-records // CHUNK_RECORDS))
    return max(1, -(-records // chunks))


class _Record(NamedTuple):
    """The fields of a Kafka record a dead letter keeps."""

    topic: str
    partition: int
    offset: int
    value: bytes | None
    key: bytes | None
    timestamp: int
