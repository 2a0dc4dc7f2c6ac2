"""The vectorized hot path: a chunk of raw record values -> Arrow tables of the lake, in bulk.

The records of one event type are read together by ``pyarrow.json`` with a schema derived from
the pydantic models (:mod:`ingest.fast_spec`), then the contract is checked column by column with
``pyarrow.compute``. The path only ever accepts: a record the pydantic path (``ingest.validate``,
the reference) would land unchanged, converted to the same row. Everything it is not sure about
goes back to the caller as a *fallback* index, for the pydantic path to validate, redact or reject
with its precise reason:

- no value, oversized, nested deeper than ``max_depth`` (never handed to the reader, which can
  crash on deep nesting), not UTF-8, not one JSON object on one line, no plain ``event_type``;
- a chunk the reader refuses (a type mismatch, an unknown or duplicate field, bad JSON): the
  chunk is halved until the offending records are alone;
- a broken constraint (literal, bounds, a float that is not finite, length, pattern, a timestamp that is not
  ``YYYY-MM-DDTHH:MM:SS[.ffffff](Z|±HH:MM)``, a required field missing, a null list item);
- a null where absent would mean the default, when the record may spell that field ``null``
  (absent and null read alike; see ``_explicit_null``);
- ``attributes`` beyond the bounds, or with several keys whose order in the record the text does
  not show for sure to be the chunk's (the map keeps the record's order);
- a text the redaction scans (every string at any depth: envelope ids, payload fields, nested
  fields, list items, attribute keys and values) that its pre-check (``schemas.redaction``, applied
  text by text) says might hold a secret, or that holds a non-ASCII character; an attribute key
  that names a secret (``db_password``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from ingest.fast_spec import Rule, Unsupported, event_rules
from schemas.envelope import MAX_ATTRIBUTES
from schemas.event import EVENT_CLASSES
from schemas.redaction import _precheck_pattern, might_hold_secret, names_secret
from schemas.wire import MAX_DEPTH, too_deep

Mask = np.ndarray
EVENT_TYPE = r'"event_type"\s*:\s*"(?P<t>[a-z_]+)"'
TIMESTAMP_TEXT = (r"^(?:19|2\d)\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
                  r"T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,6})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$")
# the redaction's own pre-check (literals, a secret word before a space, "=", ":", '"' or "\\", a
# URL credential shape), case-insensitive: a text it does not match is landed unchanged by it
SECRET_HINT = _precheck_pattern()
# joins the texts of a row for one pass: "/" is in no literal, follows no secret word, ends the URL
# shape and is no word character (before "sk-"), so no match spans two texts
_TEXT_SEPARATOR = "/"
ATTRIBUTE_KEY_MAX, ATTRIBUTE_VALUE_MAX = 128, 1024
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_.-]+")


class _Miss(Exception):
    """The reader's table does not have the expected shape (an unknown field, a row count)."""


@dataclass
class Split:
    """The outcome for one chunk: lake tables (no lineage yet) with the chunk index of each row,
    and the indices the pydantic path must handle."""

    tables: dict[str, tuple[pa.Table, Mask]] = field(default_factory=dict)
    fallback: list[int] = field(default_factory=list)


@cache
def supported(event_type: str) -> bool:
    try:
        event_rules(event_type)
    except Unsupported:
        return False
    return True


def split(raws: Sequence[bytes | None], max_record_bytes: int, max_depth: int = MAX_DEPTH) -> Split:
    """Convert what can be converted in bulk; the rest is ``fallback`` (sorted indices)."""
    return split_lines(lines(raws), max_record_bytes, max_depth)


def lines(raws: Sequence[bytes | None]) -> pa.LargeBinaryArray:
    """``raws`` as newline-terminated lines (a null where there is no value)."""
    return lines_of(b"\n".join(r or b"" for r in raws) + b"\n",
                    [-1 if r is None else len(r) for r in raws])


def lines_of(joined: bytes | pa.Buffer, lengths: Sequence[int]) -> pa.LargeBinaryArray:
    """The array view of values joined by newlines (with a final one): value ``i`` is
    ``lengths[i]`` bytes (-1: no value), each line ends with its newline."""
    sizes = np.asarray(lengths, dtype=np.int64)
    ends = np.empty(len(sizes) + 1, dtype=np.int64)
    ends[0] = 0
    np.cumsum(np.maximum(sizes, 0) + 1, out=ends[1:])
    valid = pa.array(sizes >= 0).buffers()[1] if (sizes < 0).any() else None
    return pa.LargeBinaryArray.from_buffers(pa.large_binary(), len(sizes),
                                            [valid, pa.py_buffer(ends), pa.py_buffer(joined)])


def split_lines(values: pa.LargeBinaryArray, max_record_bytes: int, max_depth: int = MAX_DEPTH) -> Split:
    """:func:`split` of values given as :func:`lines_of` lines."""
    out = Split()
    size = pc.subtract(pc.binary_length(values), 1)
    chosen = _shallow(values, _mask(pc.and_(pc.greater(size, 0), pc.less_equal(size, max_record_bytes))),
                      max_depth)
    texts, chosen = _utf8(values, chosen)
    shaped = chosen & _mask(pc.and_(pc.starts_with(texts, "{"), pc.ends_with(texts, "}\n")))
    hint, rest = _as_one_type(out, texts, np.flatnonzero(shaped))
    types = _event_types(texts, rest)
    for event_type in EVENT_CLASSES:
        picked = rest[types == event_type]
        if len(picked) and event_type != hint and supported(event_type):
            rows, table = _bisect(event_type, picked, texts)
            out.tables[event_type] = (table, rows)
    taken = np.zeros(len(values), dtype=bool)
    for _table, rows in out.tables.values():
        taken[rows] = True
    out.fallback = np.flatnonzero(~taken).tolist()
    return out


def _shallow(values: pa.LargeBinaryArray, chosen: Mask, max_depth: int) -> Mask:
    """``chosen`` less the values nested deeper than ``max_depth``: the count of ``[`` and ``{``
    bounds the depth, so only values with more of them are scanned."""
    for i in np.flatnonzero(chosen & (_openers(values) > max_depth)):
        chosen[i] = not too_deep(values[int(i)].as_py(), max_depth)
    return chosen


def _openers(values: pa.LargeBinaryArray) -> np.ndarray:
    """The number of ``[`` and ``{`` in each value: one pass over the bytes for their positions
    (``[`` and ``{`` are the only bytes that are 123 with bit 5 set), then one search per line
    (~5x faster than pyarrow's ``count_substring`` twice)."""
    ends = np.frombuffer(values.buffers()[1], np.int64)[values.offset:values.offset + len(values) + 1]
    data = np.frombuffer(values.buffers()[2], np.uint8)[ends[0]:ends[-1]]
    at = np.flatnonzero((data | 32) == ord("{"))
    counts: np.ndarray = np.diff(np.searchsorted(at, ends - ends[0]))
    return counts


def _as_one_type(out: Split, texts: pa.LargeStringArray, shaped: np.ndarray
                 ) -> tuple[str | None, np.ndarray]:
    """Read every shaped record as the type of the first one (the usual chunk: one topic, one
    type); returns that type (None if not tried) and the records not landed that way, which are
    then sorted by their own ``event_type``. Landing a record takes every check, its
    ``event_type`` literal included, however the record was picked."""
    hint = _event_types(texts, shaped[:1])[0] if len(shaped) else None
    if hint not in EVENT_CLASSES or not supported(hint):
        return None, shaped
    try:
        good, table = convert(hint, _taken(texts, shaped))
    except (pa.ArrowException, _Miss):
        return None, shaped
    out.tables[hint] = (table, shaped[good])
    return hint, shaped[~good]


def _utf8(values: pa.LargeBinaryArray, chosen: Mask) -> tuple[pa.LargeStringArray, Mask]:
    """The values as text, and which chosen ones are UTF-8."""
    texts = values.view(pa.large_string())
    try:
        texts.validate(full=True)
    except pa.ArrowInvalid:
        chosen = chosen & np.array([_decodes(v) for v in values.to_pylist()], dtype=bool)
        texts = pc.if_else(pa.array(chosen), values, pa.scalar(b"\n", pa.large_binary())
                           ).view(pa.large_string())
    return texts, chosen


def _decodes(raw: bytes | None) -> bool:
    try:
        (raw or b"").decode()
    except UnicodeDecodeError:
        return False
    return True


def _event_types(texts: pa.LargeStringArray, rows: np.ndarray) -> np.ndarray:
    """The plain ``event_type`` of each of the (one JSON object) records at ``rows`` (None where
    there is none). A record whose newlines split it in the reader changes the row count and is
    refused there."""
    if not len(rows):
        return np.array([], dtype=object)
    found = pc.extract_regex(_taken(texts, rows), EVENT_TYPE).flatten()[0]  # null where no match
    types: np.ndarray = found.to_numpy(zero_copy_only=False)
    return types


def _bisect(event_type: str, picked: np.ndarray, texts: pa.LargeStringArray
            ) -> tuple[np.ndarray, pa.Table]:
    """(chunk indices landed, their table); halves the records while the reader refuses them."""
    try:
        good, table = convert(event_type, _taken(texts, picked))
        return picked[good], table
    except (pa.ArrowException, _Miss):
        if len(picked) == 1:
            return picked[:0], _empty(event_type)
    half = len(picked) // 2
    rows_a, table_a = _bisect(event_type, picked[:half], texts)
    rows_b, table_b = _bisect(event_type, picked[half:], texts)
    return np.concatenate([rows_a, rows_b]), pa.concat_tables([table_a, table_b])


def _taken(texts: pa.LargeStringArray, picked: np.ndarray) -> pa.LargeStringArray:
    """The lines at ``picked`` (no copy when they are all of them, in order)."""
    if len(picked) == len(texts) and (len(picked) == 0 or picked[-1] == len(picked) - 1):
        return texts
    taken: pa.LargeStringArray = texts.take(pa.array(picked))
    return taken


@cache
def _empty(event_type: str) -> pa.Table:
    return pa.schema([pa.field(r.name, r.out) for r in _flat_rules(event_type)]).empty_table()


@cache
def _flat_rules(event_type: str) -> tuple[Rule, ...]:
    """Envelope rules, ``event_type``, then the payload's rules (the lake's column order)."""
    rules = event_rules(event_type)
    payload = next(r for r in rules if r.name == "payload")
    return tuple(r for r in rules if r.name != "payload") + payload.children


@cache
def read_schema(event_type: str) -> pa.Schema:
    """What the JSON reader is told (``attributes`` is left to inference)."""
    return pa.schema([pa.field(r.name, r.read) for r in event_rules(event_type) if not r.mapping])


def convert(event_type: str, texts: pa.LargeStringArray) -> tuple[Mask, pa.Table]:
    """(which records are landed as is, the lake table of those records) of :func:`lines_of`
    lines (all UTF-8, no nulls)."""
    table = _read(event_type, texts)
    good = _accepted(event_type, table, texts)
    return good, _build_table(event_type, table if good.all() else table.filter(pa.array(good)))


def _read(event_type: str, texts: pa.LargeStringArray) -> pa.Table:
    ends = texts.buffers()[1]
    first, last = (int(x) for x in np.frombuffer(ends, np.int64)[[texts.offset, texts.offset + len(texts)]])
    data = texts.buffers()[2][first:last]
    table = pj.read_json(
        pa.BufferReader(data),
        read_options=pj.ReadOptions(use_threads=False, block_size=max(len(data), 1) + 1),
        parse_options=pj.ParseOptions(explicit_schema=read_schema(event_type),
                                      unexpected_field_behavior="infer", newlines_in_values=False))
    expected = read_schema(event_type)
    actual = table.schema
    if table.num_rows != len(texts) or set(actual.names) - {"attributes"} != set(expected.names) \
            or any(actual.field(f.name).type != f.type for f in expected):
        raise _Miss(event_type)
    return table.combine_chunks()


def _accepted(event_type: str, table: pa.Table, texts: pa.LargeStringArray) -> Mask:
    present = np.ones(table.num_rows, dtype=bool)
    bad, ambiguous, names = np.zeros_like(present), np.zeros_like(present), set[str]()
    for rule in event_rules(event_type):
        column = _attributes(table) if rule.mapping else table[rule.name].chunk(0)
        if rule.mapping:
            b, a = _attribute_flags(column, names)
            b |= _out_of_order(column, texts)
        else:
            b, a = _flags(column, rule, present, names)
        bad |= b
        ambiguous |= a
    if (ambiguous & ~bad).any():
        bad |= ambiguous & _explicit_null(texts, names)
    accepted: Mask = ~(bad | _secret_hint(event_type, table))
    return accepted


def _explicit_null(texts: pa.LargeStringArray, names: set[str]) -> Mask:
    """Rows that may hold ``"<name>": null`` for one of ``names`` (read as null, a field is absent
    or explicitly null, and only absence means the default). A key the text could spell with an
    escape (a ``\\u`` in the row, a name beyond ``[A-Za-z0-9_.-]``) makes any ``null`` count."""
    anywhere = _mask(pc.match_substring(texts, "null"))
    if not names or not all(_PLAIN_NAME.fullmatch(name) for name in names):
        return anywhere
    pattern = '"(?:' + "|".join(map(re.escape, sorted(names))) + ')"\\s*:\\s*null'
    named: Mask = _mask(pc.match_substring_regex(texts, pattern))
    named |= anywhere & _mask(pc.match_substring(texts, "\\u"))
    return named


def _attributes(table: pa.Table) -> pa.StructArray:
    """``attributes`` as read: a struct of every key seen (an empty struct when none)."""
    if "attributes" not in table.column_names:
        return pa.array([None] * table.num_rows, pa.struct([]))
    column = table["attributes"].chunk(0) if table["attributes"].num_chunks else None
    if column is None or column.type == pa.null():
        return pa.array([None] * table.num_rows, pa.struct([]))
    if not pa.types.is_struct(column.type) or any(f.type != pa.string() for f in column.type):
        raise _Miss("attributes")
    return column


def _mask(array: pa.Array | pa.ChunkedArray) -> Mask:
    mask: Mask = np.asarray(pc.fill_null(array, False).to_numpy(zero_copy_only=False), dtype=bool)
    return mask


def _flags(array: pa.Array, rule: Rule, present: Mask, names: set[str]) -> tuple[Mask, Mask]:
    """(bad, ambiguous) per row of ``array``: a broken constraint or a null that needs pydantic;
    a null that means the default only if the field was absent (its name goes to ``names``)."""
    nulls = _mask(array.is_null()) & present
    valid = present & ~nulls
    bad = (nulls if rule.nulls == "bad" else np.zeros_like(nulls)) | (_violations(array, rule) & valid)
    ambiguous = nulls if rule.nulls == "fill" else np.zeros_like(nulls)
    if ambiguous.any():
        names.add(rule.name)
    if rule.children:
        for child, child_rule in zip(array.flatten(), rule.children, strict=True):
            b, a = _flags(child, child_rule, valid, names)
            bad, ambiguous = bad | b, ambiguous | a
    if rule.item is not None:
        b, a = _item_flags(array, rule.item, names)
        bad, ambiguous = bad | (b & valid), ambiguous | (a & valid)
    return bad, ambiguous


def _item_flags(array: pa.ListArray, item: Rule, names: set[str]) -> tuple[Mask, Mask]:
    values = array.flatten()
    parents = pc.list_parent_indices(array).to_numpy()
    b, a = _flags(values, item, np.ones(len(values), dtype=bool), names)
    bad, ambiguous = np.zeros(len(array), dtype=bool), np.zeros(len(array), dtype=bool)
    bad[parents[b]] = True
    ambiguous[parents[a]] = True
    return bad, ambiguous


def _violations(array: pa.Array, rule: Rule) -> Mask:
    """True where a (non-null) value breaks one of ``rule``'s constraints."""
    broken = np.zeros(len(array), dtype=bool)
    if pa.types.is_floating(array.type):
        broken |= ~_mask(pc.is_finite(array))
    if rule.literals is not None:
        broken |= ~_mask(pc.is_in(array, value_set=pa.array(rule.literals)))
    for op, limit in rule.bounds:
        compare = {"ge": pc.greater_equal, "gt": pc.greater, "le": pc.less_equal, "lt": pc.less}[op]
        broken |= ~_mask(compare(array, limit))
    if rule.min_len is not None:
        broken |= ~_mask(pc.greater_equal(pc.utf8_length(array), rule.min_len))
    if rule.max_len is not None:
        broken |= ~_mask(pc.less_equal(pc.utf8_length(array), rule.max_len))
    if rule.pattern is not None:
        broken |= ~_mask(pc.match_substring_regex(array, rule.pattern))
    if rule.timestamp:
        broken |= ~_mask(pc.match_substring_regex(array, TIMESTAMP_TEXT))
    return broken


def _attribute_flags(column: pa.StructArray, names: set[str]) -> tuple[Mask, Mask]:
    """Beyond the bounds (``Envelope._bounded``): bad (pydantic decides). No attributes, or a key
    seen in the chunk but null in a row: absent or an explicit null, ambiguous."""
    valid = _mask(column.is_valid())
    children = column.flatten()
    counts = sum((_mask(c.is_valid()) for c in children), np.zeros(len(column), dtype=np.int64))
    bad = counts > MAX_ATTRIBUTES
    ambiguous = ~valid.copy()
    if ambiguous.any():
        names.add("attributes")
    for name, child in zip(column.type.names, children, strict=True):
        has = _mask(child.is_valid())
        if (valid & ~has).any():
            names.add(name)
        ambiguous |= valid & ~has
        if len(name) > ATTRIBUTE_KEY_MAX:
            bad |= has
        bad |= ~_mask(pc.less_equal(pc.utf8_length(child), ATTRIBUTE_VALUE_MAX)) & has
    return bad, ambiguous


def _out_of_order(column: pa.StructArray, texts: pa.LargeStringArray) -> Mask:
    """Rows with several attributes whose keys the record does not hold in the order of the
    chunk's struct fields (the order the lake's map takes), or whose order the text does not
    show for sure: each key must occur once in the row as ``"<key>":`` (JSON whitespace allowed),
    spelled without escapes."""
    valid = _mask(column.is_valid())
    present = [_mask(c.is_valid()) & valid for c in column.flatten()]
    several = np.flatnonzero(sum(present, np.zeros(len(column), dtype=np.int64)) > 1)
    bad = np.zeros(len(column), dtype=bool)
    if not len(several):
        return bad
    if not all(_PLAIN_NAME.fullmatch(name) for name in column.type.names):
        bad[several] = True
        return bad
    rows = _taken(texts, several)
    unsure = _mask(pc.match_substring(rows, "\\u"))
    last = np.full(len(several), -1, dtype=np.int64)
    for name, has in zip(column.type.names, present, strict=True):
        key = f'"{re.escape(name)}"\\s*:'
        at = np.asarray(pc.find_substring_regex(rows, key).to_numpy(zero_copy_only=False))
        once = _mask(pc.equal(pc.count_substring_regex(rows, key), 1))
        here = has[several]
        unsure |= here & ~once
        unsure |= here & (at < last)
        last = np.where(here, at, last)
    bad[several] = unsure
    return bad


def _secret_hint(event_type: str, table: pa.Table) -> Mask:
    """Rows where some text the lake would get (any string at any depth, list items, attribute keys
    and values) might hold a secret or is not all ASCII: ``redact_event`` walks all of them. Texts
    the rules pin down (literals, timestamps, patterns) cannot hold one and are not read."""
    attributes = _attributes(table)
    texts = list(attributes.flatten())
    for rule in event_rules(event_type):
        if not rule.mapping:
            texts += _row_texts(table[rule.name].chunk(0), rule)
    joined = pc.binary_join_element_wise(*texts, _TEXT_SEPARATOR, null_handling="replace",
                                         null_replacement="")
    hint = _mask(pc.match_substring_regex(joined, SECRET_HINT, ignore_case=True))
    hint |= ~_mask(pc.string_is_ascii(joined))
    for name, child in zip(attributes.type.names, attributes.flatten(), strict=True):
        if might_hold_secret(name) or names_secret(name) or not name.isascii():
            hint |= _mask(child.is_valid())
    return hint


def _row_texts(array: pa.Array, rule: Rule) -> list[pa.Array]:
    """The free texts of ``array`` as string arrays aligned with its rows (a list's items, or its
    models' texts, joined by the separator in one string per row)."""
    if rule.literals is not None or rule.timestamp or rule.pattern is not None:
        return []
    if pa.types.is_string(array.type):
        return [array]
    if rule.children:
        pairs = zip(array.flatten(), rule.children, strict=True)
        return [text for child, child_rule in pairs for text in _row_texts(child, child_rule)]
    if rule.item is not None:
        items = _row_texts(array.values, rule.item)  # aligned with the list's values
        return [pc.binary_join(pa.ListArray.from_arrays(array.offsets, item), _TEXT_SEPARATOR)
                for item in items]
    return []


def _build_table(event_type: str, table: pa.Table) -> pa.Table:
    """The lake columns (without lineage) of accepted rows."""
    payload = table["payload"].combine_chunks()
    columns = []
    for rule in _flat_rules(event_type):
        if rule.mapping:
            columns.append(_build_map(_attributes(table)))
        elif rule.name in read_schema(event_type).names and rule.name != "payload":
            columns.append(_build(table[rule.name].combine_chunks(), rule))
        else:
            columns.append(_build(payload.field(rule.name), rule))
    return pa.Table.from_arrays(columns, schema=_empty(event_type).schema)


def _build(array: pa.Array, rule: Rule) -> pa.Array:
    """``array`` as the lake stores it: defaults filled, timestamps converted, nested rebuilt."""
    if rule.nulls == "fill" and array.null_count:
        array = _fill(array, rule)
    if rule.timestamp:
        return pc.cast(array, rule.out)
    if rule.children:
        children = [_build(c, r) for c, r in zip(array.flatten(), rule.children, strict=True)]
        return pa.StructArray.from_arrays(children, fields=list(rule.out), mask=array.is_null())
    if rule.item is not None and _rebuilds(rule.item):
        values = _build(array.values, rule.item)
        return pa.ListArray.from_arrays(array.offsets, values, type=rule.out, mask=array.is_null())
    return array


@cache
def _rebuilds(rule: Rule) -> bool:
    return rule.timestamp or rule.nulls == "fill" or bool(rule.children) or rule.item is not None


def _fill(array: pa.Array, rule: Rule) -> pa.Array:
    default = pa.array([rule.default], type=array.type)
    picks = pc.if_else(array.is_null(), len(array), pa.array(np.arange(len(array))))
    return pa.concat_arrays([array, default]).take(picks)


def _build_map(column: pa.StructArray) -> pa.MapArray:
    """Each row's non-null children as (key, value) entries, in struct field order (which
    :func:`_out_of_order` checked is the record's)."""
    valid = _mask(column.is_valid())
    rows, fields, values = [], [], []
    for n, child in enumerate(column.flatten()):
        has = _mask(child.is_valid()) & valid
        rows.append(np.flatnonzero(has))
        fields.append(np.full(int(has.sum()), n, dtype=np.int64))
        values.append(child.filter(pa.array(has)))
    counts = np.zeros(len(column), dtype=np.int32)
    if not values:
        keys_arr, values_arr = pa.array([], pa.string()), pa.array([], pa.string())
    else:
        row, field = np.concatenate(rows), np.concatenate(fields)
        order = np.lexsort((field, row))
        np.add.at(counts, row, 1)
        keys_arr = pa.array(np.array(column.type.names, dtype=object)[field[order]], pa.string())
        values_arr = pa.concat_arrays(values).take(pa.array(order))
    offsets = pa.array(np.concatenate([[0], np.cumsum(counts)]).astype(np.int32))
    return pa.MapArray.from_arrays(offsets, keys_arr, values_arr,
                                   type=pa.map_(pa.string(), pa.string()))
