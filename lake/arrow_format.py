"""Events -> Arrow tables: the lake's column layout, as pure functions (no files, no broker).

Every event type gets one flat table: the envelope fields, ``event_type``, then every payload
field as a top-level column (nested models become structs, lists become lists, ``attributes``
a ``map<string, string>``, timestamps ``timestamp[us, tz=UTC]``), then the lineage columns
``_topic``, ``_partition``, ``_offset`` and ``_ingested_at``. The schema is derived from the
pydantic models in ``schemas/``, so adding an optional field to a model adds a column.
"""

from __future__ import annotations

import types
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import numpy as np
import pyarrow as pa
from pydantic import AwareDatetime, BaseModel, TypeAdapter

from schemas.envelope import Envelope
from schemas.event import EVENT_CLASSES, Event

TIMESTAMP = pa.timestamp("us", tz="UTC")
LINEAGE = pa.schema([
    pa.field("_topic", pa.string()),
    pa.field("_partition", pa.int32()),
    pa.field("_offset", pa.int64()),
    pa.field("_ingested_at", TIMESTAMP),
])
DEAD_LETTER = pa.schema([
    pa.field("reason", pa.string()),
    pa.field("error_class", pa.string()),
    pa.field("error_message", pa.string()),
    pa.field("raw", pa.binary()),
    pa.field("key", pa.binary()),
    pa.field("record_timestamp", TIMESTAMP),
    pa.field("raw_sha256", pa.string()),
]).append(LINEAGE.field(0)).append(LINEAGE.field(1)).append(LINEAGE.field(2)).append(LINEAGE.field(3))


@dataclass(frozen=True, slots=True)
class Lineage:
    """Where a batch of rows came from (one value per row, except the shared topic and time)."""

    topic: str
    partitions: Sequence[int] | np.ndarray
    offsets: Sequence[int] | np.ndarray
    ingested_at: datetime


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A record that could not become an event, kept with its (redacted) raw bytes and the reason."""

    reason: str  # undecodable | invalid | oversized | unknown_type
    error_class: str
    error_message: str
    raw: bytes
    key: bytes | None
    record_timestamp: datetime | None
    topic: str
    partition: int
    offset: int
    raw_sha256: str  # of the value as received (``raw`` is redacted)


def arrow_type(annotation: Any) -> pa.DataType:
    """The Arrow type of a pydantic field annotation."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return arrow_type(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        inner = [a for a in get_args(annotation) if a is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"unsupported union {annotation!r}")
        return arrow_type(inner[0])
    if origin is Literal:
        return _literal_type(get_args(annotation))
    if origin is list:
        return pa.list_(arrow_type(get_args(annotation)[0]))
    if origin is dict:
        key, value = get_args(annotation)
        return pa.map_(arrow_type(key), arrow_type(value))
    return _scalar_type(annotation)


def _literal_type(values: tuple[Any, ...]) -> pa.DataType:
    if all(isinstance(v, str) for v in values):
        return pa.string()
    raise TypeError(f"unsupported literal {values!r}")


_SCALARS: dict[Any, pa.DataType] = {
    bool: pa.bool_(), str: pa.string(), int: pa.int64(), float: pa.float64(),
    datetime: TIMESTAMP, AwareDatetime: TIMESTAMP, date: pa.date32(), bytes: pa.binary(),
}


def _scalar_type(annotation: Any) -> pa.DataType:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return pa.struct(model_fields(annotation))
    for python_type, arrow in _SCALARS.items():
        if isinstance(annotation, type) and issubclass(annotation, python_type):
            return arrow
    raise TypeError(f"no Arrow type for {annotation!r}")


def model_fields(model: type[BaseModel]) -> list[pa.Field]:
    """One nullable Arrow field per pydantic field, in declaration order."""
    return [pa.field(name, arrow_type(info.annotation)) for name, info in model.model_fields.items()]


def payload_model(event_type: str) -> type[BaseModel]:
    annotation = EVENT_CLASSES[event_type].model_fields["payload"].annotation
    if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
        raise TypeError(f"{event_type}: payload is not a model")
    return annotation


@cache
def _envelope_fields() -> list[pa.Field]:
    return model_fields(Envelope) + [pa.field("event_type", pa.string())]


@cache
def event_schema(event_type: str) -> pa.Schema:
    """The lake schema of ``event_type``: envelope, event_type, payload fields, lineage."""
    envelope = _envelope_fields()
    payload = model_fields(payload_model(event_type))
    clash = {f.name for f in envelope} & {f.name for f in payload}
    if clash:
        raise TypeError(f"{event_type}: payload fields {sorted(clash)} clash with the envelope")
    return pa.schema(envelope + payload + list(LINEAGE))


@cache
def _row_type(event_type: str) -> pa.StructType:
    payload = pa.field("payload", pa.struct(model_fields(payload_model(event_type))))
    return pa.struct(_envelope_fields() + [payload])


@cache
def _dumper(event_type: str) -> TypeAdapter[list[Any]]:
    item: Any = EVENT_CLASSES[event_type]
    return TypeAdapter(list[item])


def events_to_table(event_type: str, events: Sequence[Event], lineage: Lineage) -> pa.Table:
    """The Arrow table of ``events`` (all of ``event_type``) with their lineage columns."""
    rows = _dumper(event_type).dump_python(list(events))
    structs = pa.array(rows, type=_row_type(event_type))
    columns = [structs.field(i) for i in range(structs.type.num_fields - 1)]
    payload = structs.field("payload")
    columns += [payload.field(i) for i in range(payload.type.num_fields)]
    columns += _lineage_columns(lineage, len(events))
    return pa.Table.from_arrays(columns, schema=event_schema(event_type))


def with_lineage(table: pa.Table, lineage: Lineage) -> pa.Table:
    """``table`` (the lake columns of one event type) with its lineage columns appended."""
    columns = table.columns + _lineage_columns(lineage, table.num_rows)
    return pa.Table.from_arrays(columns, schema=table.schema.append(LINEAGE.field(0)).append(
        LINEAGE.field(1)).append(LINEAGE.field(2)).append(LINEAGE.field(3)))


def merge_tables(*groups: dict[str, pa.Table]) -> dict[str, pa.Table]:
    """Tables of the same event types concatenated (rows in argument order)."""
    merged: dict[str, list[pa.Table]] = {}
    for group in groups:
        for event_type, table in group.items():
            merged.setdefault(event_type, []).append(table)
    return {t: pa.concat_tables(tables) for t, tables in merged.items()}


def _lineage_columns(lineage: Lineage, rows: int) -> list[pa.Array]:
    return [
        pa.repeat(pa.scalar(lineage.topic, pa.string()), rows),
        pa.array(lineage.partitions, pa.int32()),
        pa.array(lineage.offsets, pa.int64()),
        pa.repeat(pa.scalar(lineage.ingested_at, TIMESTAMP), rows),
    ]


def dead_letters_to_table(letters: Sequence[DeadLetter], ingested_at: datetime) -> pa.Table:
    """The Arrow table of the ``dead_letter`` rows."""
    columns = {
        "reason": [d.reason for d in letters],
        "error_class": [d.error_class for d in letters],
        "error_message": [d.error_message for d in letters],
        "raw": [d.raw for d in letters],
        "key": [d.key for d in letters],
        "record_timestamp": [d.record_timestamp for d in letters],
        "raw_sha256": [d.raw_sha256 for d in letters],
        "_topic": [d.topic for d in letters],
        "_partition": [d.partition for d in letters],
        "_offset": [d.offset for d in letters],
        "_ingested_at": [ingested_at] * len(letters),
    }
    return pa.Table.from_pydict(columns, schema=DEAD_LETTER)


def empty_table(table: str) -> pa.Table:
    """A table with the lake schema of ``table`` (an event type or ``dead_letter``) and no rows."""
    schema = DEAD_LETTER if table == "dead_letter" else event_schema(table)
    return schema.empty_table()
