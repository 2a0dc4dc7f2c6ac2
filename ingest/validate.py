"""The bad-data policy, applied in one place: bytes -> a redacted event, or a rejection.

Reasons a record is rejected: ``oversized`` (value larger than ``max_record_bytes``),
``undecodable`` (no value, not UTF-8 JSON), ``too_deep`` (objects and arrays nested deeper than
``max_json_depth``: refused before any parser sees it), ``unknown_type`` (an ``event_type`` the
contracts do not know), ``invalid`` (JSON that breaks the contract, a duplicate key, NaN or
Infinity; the message names the JSON paths and is redacted like an event, since an attribute key
can hold a secret) and ``implausible`` (a timestamp later than the receipt plus
``timestamp_max_ahead_s`` or earlier than the record's arrival, its Kafka timestamp or else the
receipt, less ``timestamp_max_age_days``: :class:`Window`). What happens to a rejection is the
setting ``ingest.bad_data``: ``dead_letter`` (default; a dead-letter row and a dead-letter topic
record, the worker keeps going) or ``fail``.

:func:`classify` (pydantic, one record) is the reference. :func:`classify_chunk` runs many records
through the vectorized path (``ingest.fast_path``) first and hands the rest to :func:`classify`,
so every rejection, with its reason, still comes from the reference.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ValidationError

from aftershock.errors import EventError
from aftershock.settings import IngestSettings
from ingest import fast_path
from ingest.redact import redact
from schemas.event import Event, describe_error, parse_event
from schemas.redaction import redact_text
from schemas.wire import MAX_DEPTH, too_deep, wire_problem

_REASON_BY_ERROR = {"json_invalid": "undecodable", "union_tag_invalid": "unknown_type"}
_US = 1_000_000


@dataclass(frozen=True, slots=True)
class Rejected:
    """Why a record did not become an event."""

    reason: str
    error_class: str
    message: str


@dataclass(frozen=True)
class Window:
    """The span a record's timestamps must fall in."""

    earliest: datetime
    latest: datetime


@dataclass(frozen=True)
class Limits:
    """What a record must meet beyond its contract: its size, its nesting, and timestamps no
    later than ``ahead`` after its receipt and no earlier than ``behind`` before its arrival."""

    max_record_bytes: int = 1024 * 1024
    max_depth: int = MAX_DEPTH
    ahead: timedelta = timedelta(days=1)
    behind: timedelta = timedelta(days=7305)

    @classmethod
    def of(cls, conf: IngestSettings) -> Limits:
        return cls(conf.max_record_bytes, conf.max_json_depth,
                   timedelta(seconds=conf.timestamp_max_ahead_s),
                   timedelta(days=conf.timestamp_max_age_days))

    def window(self, received: datetime, stamp_ms: int = -1) -> Window:
        """The span of a record received at ``received`` with Kafka timestamp ``stamp_ms`` (-1:
        none). Only the receipt bounds the future (a producer's clock may be ahead), and the
        earlier of the two the past (a record read from a backlog arrived before its receipt)."""
        arrived = min(received, _datetime(stamp_ms * 1000)) if stamp_ms >= 0 else received
        return Window(arrived - self.behind, received + self.ahead)

    def windows_us(self, received: datetime, stamps_ms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`window` of many records, as (earliest, latest) microseconds since the epoch."""
        received_us = int(received.timestamp() * _US)
        stamps = np.asarray(stamps_ms, dtype=np.int64) * 1000
        arrived = np.where(stamps >= 0, np.minimum(stamps, received_us), received_us)
        earliest: np.ndarray = arrived - self.behind // timedelta(microseconds=1)
        latest = np.full(len(stamps), received_us + self.ahead // timedelta(microseconds=1), np.int64)
        return earliest, latest


def classify(raw: bytes | None, limits: Limits, window: Window | None = None) -> Event | Rejected:
    """The validated, redacted event in ``raw``, or why it was rejected; ``window``: where its
    timestamps must fall (default: that of a record received now)."""
    if raw is None:
        return Rejected("undecodable", "NullValue", "record has no value (tombstone)")
    if len(raw) > limits.max_record_bytes:
        return Rejected("oversized", "RecordTooLarge",
                        f"value is {len(raw)} bytes, limit {limits.max_record_bytes} "
                        "(AFTERSHOCK_INGEST__MAX_RECORD_BYTES)")
    if too_deep(raw, limits.max_depth):
        return Rejected("too_deep", "NestingTooDeep",
                        f"$: objects and arrays nest deeper than {limits.max_depth} levels "
                        "(AFTERSHOCK_INGEST__MAX_JSON_DEPTH); not parsed")
    try:
        event = parse_event(raw)
    except ValidationError as exc:
        reason = _REASON_BY_ERROR.get(exc.errors()[0]["type"], "invalid")
        return Rejected(reason, type(exc).__name__, redact_text(describe_error(exc))[0])
    problem = wire_problem(raw)
    if problem:
        return Rejected("invalid", "WireFormat", problem)
    return _implausible(event, window or limits.window(datetime.now(UTC))) or redact(event)


def _implausible(event: Event, window: Window) -> Rejected | None:
    for path, stamp in timestamps(event, "$"):
        if stamp > window.latest:
            return Rejected("implausible", "ImplausibleTimestamp",
                            f"{path}: {stamp.isoformat()} is later than {window.latest.isoformat()} "
                            "(receipt + AFTERSHOCK_INGEST__TIMESTAMP_MAX_AHEAD_S)")
        if stamp < window.earliest:
            return Rejected("implausible", "ImplausibleTimestamp",
                            f"{path}: {stamp.isoformat()} is earlier than {window.earliest.isoformat()} "
                            "(arrival - AFTERSHOCK_INGEST__TIMESTAMP_MAX_AGE_DAYS)")
    return None


def timestamps(value: object, path: str) -> Iterator[tuple[str, datetime]]:
    """Every timestamp of a model, nested models and lists included, with its JSON path."""
    if isinstance(value, datetime):
        yield path, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from timestamps(getattr(value, name), f"{path}.{name}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from timestamps(item, f"{path}[{i}]")


@dataclass
class ChunkOutcome:
    """Lake tables (no lineage yet) with the chunk index of each row (an int64 array), and the
    outcome of every other record by its chunk index (in order)."""

    tables: dict[str, tuple[pa.Table, np.ndarray]] = field(default_factory=dict)
    others: list[tuple[int, Event | Rejected]] = field(default_factory=list)


def classify_chunk(raws: Sequence[bytes | None], limits: Limits, received: datetime | None = None,
                   stamps_ms: Sequence[int] | None = None) -> ChunkOutcome:
    """:func:`classify` of every record of ``raws``, the valid ones landed in bulk when possible
    (received at ``received``, default now, with Kafka timestamps ``stamps_ms``, default none)."""
    stamps = np.full(len(raws), -1, np.int64) if stamps_ms is None else np.asarray(stamps_ms, np.int64)
    windows = limits.windows_us(received or datetime.now(UTC), stamps)
    return classify_lines(fast_path.lines(raws), limits, windows)


def classify_lines(lines: pa.LargeBinaryArray, limits: Limits,
                   windows_us: tuple[np.ndarray, np.ndarray]) -> ChunkOutcome:
    """:func:`classify_chunk` of values given as ``fast_path.lines_of`` lines, with each record's
    window (:meth:`Limits.windows_us`)."""
    split = fast_path.split_lines(lines, limits.max_record_bytes, limits.max_depth)
    fallback = set(split.fallback)
    tables = {}
    for event_type, (table, rows) in split.tables.items():
        bad = _implausible_rows(table, windows_us[0][rows], windows_us[1][rows])
        if bad.any():
            fallback.update(rows[bad].tolist())
            table, rows = table.filter(pa.array(~bad)), rows[~bad]
        tables[event_type] = (table, rows)
    others = [(i, classify(line_value(lines, i), limits,
                           Window(_datetime(windows_us[0][i]), _datetime(windows_us[1][i]))))
              for i in sorted(fallback)]
    return ChunkOutcome(tables, others)


def _implausible_rows(table: pa.Table, earliest_us: np.ndarray, latest_us: np.ndarray) -> np.ndarray:
    """Rows of a lake table with a timestamp outside their window."""
    earliest, latest = pa.array(earliest_us), pa.array(latest_us)
    bad = np.zeros(table.num_rows, dtype=bool)
    for column in table.columns:
        if pa.types.is_timestamp(column.type):
            micros = pc.cast(column.combine_chunks(), pa.timestamp("us", tz="UTC")).view(pa.int64())
            outside = pc.or_(pc.less(micros, earliest), pc.greater(micros, latest))
            bad |= np.asarray(pc.fill_null(outside, False).to_numpy(zero_copy_only=False), dtype=bool)
    return bad


def _datetime(micros: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(micros))


def line_value(lines: pa.LargeBinaryArray, i: int) -> bytes | None:
    """The value of line ``i`` (without its newline; None: the record had no value)."""
    line: bytes | None = lines[i].as_py()
    return None if line is None else line[:-1]


def enforce(policy: str, rejected: Rejected, where: str) -> None:
    """Apply the ``bad_data`` policy: return to dead-letter the record, or raise to stop."""
    if policy == "fail":
        raise EventError(f"{where}: {rejected.reason}: {rejected.message} (bad_data=fail; set "
                         "AFTERSHOCK_INGEST__BAD_DATA=dead_letter to dead-letter and continue)")
