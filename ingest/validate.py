"""The bad-data policy, applied in one place: bytes -> a redacted event, or a rejection.

Reasons a record is rejected: ``oversized`` (value larger than ``max_record_bytes``),
``undecodable`` (no value, not UTF-8 JSON), ``unknown_type`` (an ``event_type`` the contracts do
not know) and ``invalid`` (JSON that breaks the contract; the message names the JSON paths and
is redacted like an event, since an attribute key can hold a secret).
What happens to a rejection is the setting ``ingest.bad_data``: ``dead_letter`` (default; a
dead-letter row and a dead-letter topic record, the worker keeps going) or ``fail``.

:func:`classify` (pydantic, one record) is the reference. :func:`classify_chunk` runs many records
through the vectorized path (``ingest.fast_path``) first and hands the rest to :func:`classify`,
so every rejection, with its reason, still comes from the reference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
from pydantic import ValidationError

from aftershock.errors import EventError
from ingest import fast_path
from ingest.redact import redact
from schemas.event import Event, describe_error, parse_event
from schemas.redaction import redact_text

_REASON_BY_ERROR = {"json_invalid": "undecodable", "union_tag_invalid": "unknown_type"}


@dataclass(frozen=True, slots=True)
class Rejected:
    """Why a record did not become an event."""

    reason: str
    error_class: str
    message: str


def classify(raw: bytes | None, max_record_bytes: int) -> Event | Rejected:
    """The validated, redacted event in ``raw``, or why it was rejected."""
    if raw is None:
        return Rejected("undecodable", "NullValue", "record has no value (tombstone)")
    if len(raw) > max_record_bytes:
        return Rejected("oversized", "RecordTooLarge",
                        f"value is {len(raw)} bytes, limit {max_record_bytes} "
                        "(AFTERSHOCK_INGEST__MAX_RECORD_BYTES)")
    try:
        return redact(parse_event(raw))
    except ValidationError as exc:
        reason = _REASON_BY_ERROR.get(exc.errors()[0]["type"], "invalid")
        return Rejected(reason, type(exc).__name__, redact_text(describe_error(exc))[0])


@dataclass
class ChunkOutcome:
    """Lake tables (no lineage yet) with the chunk index of each row (an int64 array), and the
    outcome of every other record by its chunk index (in order)."""

    tables: dict[str, tuple[pa.Table, np.ndarray]] = field(default_factory=dict)
    others: list[tuple[int, Event | Rejected]] = field(default_factory=list)


def classify_chunk(raws: Sequence[bytes | None], max_record_bytes: int) -> ChunkOutcome:
    """:func:`classify` of every record of ``raws``, the valid ones landed in bulk when possible."""
    return classify_lines(fast_path.lines(raws), max_record_bytes)


def classify_lines(lines: pa.LargeBinaryArray, max_record_bytes: int) -> ChunkOutcome:
    """:func:`classify_chunk` of values given as ``fast_path.lines_of`` lines."""
    split = fast_path.split_lines(lines, max_record_bytes)
    others = [(i, classify(line_value(lines, i), max_record_bytes)) for i in split.fallback]
    return ChunkOutcome(split.tables, others)


def line_value(lines: pa.LargeBinaryArray, i: int) -> bytes | None:
    """The value of line ``i`` (without its newline; None: the record had no value)."""
    line: bytes | None = lines[i].as_py()
    return None if line is None else line[:-1]


def enforce(policy: str, rejected: Rejected, where: str) -> None:
    """Apply the ``bad_data`` policy: return to dead-letter the record, or raise to stop."""
    if policy == "fail":
        raise EventError(f"{where}: {rejected.reason}: {rejected.message} (bad_data=fail; set "
                         "AFTERSHOCK_INGEST__BAD_DATA=dead_letter to dead-letter and continue)")
