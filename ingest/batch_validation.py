"""One handed-off batch in the landing process: validate and redact it chunk by chunk into Arrow
tables and dead letters (:func:`prepare`), then send the dead letters to their topic, write the
files and commit the entry (:func:`finish`).

A batch the worker could not land twice comes back piece by piece (``ingest.suspects``); a piece
of one record that still fails comes with ``quarantine`` set: its records become dead letters
``unlandable`` without being parsed. An error that is not the lake's or the policy's (a bug, a
library refusing a value) comes back as :class:`BatchFailed`, which the worker answers the same
way instead of exiting."""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

import numpy as np

from aftershock.errors import AftershockError, LakeError
from aftershock.settings import IngestSettings
from ingest.deadletters import DeadLetterTopic, dead_letter, skipped_letter
from ingest.fast_path import lines_of
from ingest.handoff import Handoff, Records, unpack
from ingest.validate import Limits, Rejected, classify_lines, enforce, line_value
from lake.arrow_format import merge_tables, with_lineage
from lake.backend import Writer
from lake.writer import Accumulator

CHUNK_RECORDS = 8000  # records validated at a time at most (bounds memory; one call per chunk)


class BatchFailed(LakeError):
    """Landing a batch raised an error that is neither the lake's nor the bad-data policy's."""


class BatchSkipped(LakeError):
    """A batch that follows a failed batch of its partition: not landed (the worker reads the
    partition again from the failed batch on)."""


@dataclass(frozen=True)
class Validated:
    """A batch validated and ready to write, or the error that stopped it."""

    acc: Accumulator | None
    topic: str
    partition: int
    start: int
    next_offset: int
    error: Exception | None = None


def land(handoff: Handoff, fd: int, lander: Writer, dlq: DeadLetterTopic, conf: IngestSettings,
         quarantine: str | None = None) -> tuple[str, Any]:
    """("landed", (events, duplicates, dead letters, spooled)) or ("error", the exception)."""
    return finish(prepare(handoff, fd, conf, quarantine), lander, dlq)


def prepare(handoff: Handoff, fd: int, conf: IngestSettings, quarantine: str | None = None
            ) -> Validated:
    """Read the batch from its file and validate it (the file is closed and unmapped); with
    ``quarantine`` (why), dead-letter every record unread."""
    try:
        records = unpack(handoff, fd)
    except Exception as exc:  # noqa: BLE001 - every error goes back to the poll process
        return Validated(None, *_range(handoff), _answerable(exc, handoff))
    try:
        acc = quarantined(records, quarantine) if quarantine else validate(records, conf)
        return Validated(acc, *_range(handoff))
    except Exception as exc:  # noqa: BLE001
        return Validated(None, *_range(handoff), _answerable(exc, handoff))
    finally:
        records.close()


def _range(handoff: Handoff) -> tuple[str, int, int, int]:
    return handoff.topic, handoff.partition, handoff.start, handoff.next_offset


def finish_in_order(validated: Validated, lander: Writer, dlq: DeadLetterTopic,
                    failed: dict[tuple[str, int], int]) -> tuple[str, Any]:
    """:func:`finish`, except for a batch that follows a failed batch of its partition
    (``failed``: partition -> the failed batch's start, kept up to date here): that one is
    answered :class:`BatchSkipped`, since committing it would leave a gap."""
    partition = (validated.topic, validated.partition)
    if validated.start > failed.get(partition, validated.start):
        return "error", BatchSkipped(f"{validated.topic}[{validated.partition}]@{validated.start}: "
                                     "follows a failed batch (read again)")
    failed.pop(partition, None)
    answer = finish(validated, lander, dlq)
    if answer[0] == "error" and isinstance(answer[1], BatchFailed):
        failed[partition] = validated.start
    return answer


def finish(validated: Validated, lander: Writer, dlq: DeadLetterTopic) -> tuple[str, Any]:
    """Send the dead letters, write the files, commit the entry: the answer for the poll process."""
    if validated.acc is None:
        return "error", validated.error
    try:
        dlq.send(validated.acc.dead)
        landed = lander.commit(validated.acc, validated.start, validated.next_offset)
    except Exception as exc:  # noqa: BLE001 - every error goes back to the poll process
        return "error", _answerable(exc, validated)
    return "landed", (landed.events, landed.duplicates, landed.dead, dlq.spooled)


def _answerable(exc: Exception, batch: Handoff | Validated) -> Exception:
    """``exc`` as the poll process gets it: the lake's and the policy's own errors as they are, any
    other as :class:`BatchFailed` naming the batch (always picklable)."""
    if isinstance(exc, AftershockError):
        try:
            pickle.loads(pickle.dumps(exc))  # noqa: S301 - our own bytes
        except Exception:  # noqa: BLE001
            return LakeError(f"landing failed: {type(exc).__name__}: {exc}")
        return exc
    return BatchFailed(f"{batch.topic}[{batch.partition}]@{batch.start}..{batch.next_offset - 1}: "
                       f"{type(exc).__name__}: {str(exc)[:300]}")


def quarantined(records: Records, why: str) -> Accumulator:
    """Every record of ``records`` as an ``unlandable`` dead letter, its value not parsed."""
    acc = Accumulator(records.topic, records.partition, datetime.now(UTC))
    lines = lines_of(records.joined, records.lengths)
    rejected = Rejected("unlandable", "LandingFailed", why)
    acc.add_dead([dead_letter(_Record(records.topic, records.partition, int(offset), line_value(lines, i),
                                      records.keys[i], records.timestamps[i]), rejected)
                  for i, offset in enumerate(records.offsets)])
    return acc


def validate(records: Records, conf: IngestSettings) -> Accumulator:
    """The batch's Arrow tables and dead letters, validated and redacted chunk by chunk."""
    acc = Accumulator(records.topic, records.partition, datetime.now(UTC))
    lines = lines_of(records.joined, records.lengths)
    offsets = np.frombuffer(records.offsets, dtype=np.int64)
    limits = Limits.of(conf)
    earliest, latest = limits.windows_us(acc.now, np.asarray(records.timestamps, dtype=np.int64))
    size = chunk_size(len(lines))
    for i in range(0, len(lines), size):
        chunk = lines.slice(i, size)
        outcome = classify_lines(chunk, limits, (earliest[i:i + size], latest[i:i + size]))
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
