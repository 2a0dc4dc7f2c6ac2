"""The file format of defect links ("change X was fixed by change Y", SZZ-style), read row by row.

JSON ``{"defects": [{"change": X, "fixed_by": Y}, ...]}`` (a bare list of such objects too), or
CSV with a header naming at least the columns ``change`` and ``fixed_by``. Optional fields:
``origin`` (szz, tracker, manual, other; default szz), ``evidence`` (text or URL) and
``fixed_at`` (RFC 3339 with an offset: when the fix landed). Every row comes back with its line in
the file, either as a :class:`LinkRow` or as a :class:`RowProblem` saying what is wrong.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, get_args

from aftershock.errors import ConfigError
from schemas.defect_link import DefectOrigin

ORIGINS: tuple[str, ...] = get_args(DefectOrigin)
_DOC = "see analytics/RULES.md (Labels)"


@dataclass(frozen=True)
class LinkRow:
    line: int
    change: str
    fixed_by: str
    origin: str = "szz"
    evidence: str | None = None
    fixed_at: datetime | None = None


@dataclass(frozen=True)
class RowProblem:
    line: int
    reason: str


def read_rows(path: Path) -> Iterator[LinkRow | RowProblem]:
    """Every row of the file in order; raises ConfigError when the file as a whole is unreadable."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"defect links {path}: cannot read ({exc}): check the path") from exc
    rows = _json_rows(text, path) if path.suffix.lower() == ".json" else _csv_rows(text, path)
    for line, row in rows:
        yield _row(line, row)


def _json_rows(text: str, path: Path) -> list[tuple[int, Any]]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"defect links {path}: not valid JSON ({exc}): {_DOC}") from exc
    starts = _element_starts(text, isinstance(data, dict))
    rows = data.get("defects") if isinstance(data, dict) else data
    if not isinstance(rows, list):
        raise ConfigError(f"defect links {path}: expected a list of links under \"defects\": {_DOC}")
    if len(starts) != len(rows):  # e.g. a repeated "defects" key: JSON keeps the last one
        starts = [0] * len(rows)
    return [(text.count("\n", 0, start) + 1, row) for start, row in zip(starts, rows, strict=True)]


def _element_starts(text: str, wrapped: bool) -> list[int]:
    """Offsets of the list's elements (the top-level list, or the value of "defects")."""
    decoder, pos = json.JSONDecoder(), _skip(text, 0)
    if wrapped:
        pos = _skip(text, pos + 1)
        while text[pos] != "}":
            key, pos = decoder.raw_decode(text, pos)
            pos = _skip(text, _skip(text, pos) + 1)  # past the colon
            if key == "defects" and text[pos] == "[":
                break
            _, pos = decoder.raw_decode(text, pos)
            pos = _skip(text, pos)
            pos = _skip(text, pos + 1) if text[pos] == "," else pos
        else:
            return []
    if text[pos] != "[":
        return []
    starts, pos = [], _skip(text, pos + 1)
    while text[pos] != "]":
        starts.append(pos)
        _, pos = decoder.raw_decode(text, pos)
        pos = _skip(text, pos)
        pos = _skip(text, pos + 1) if text[pos] == "," else pos
    return starts


def _skip(text: str, pos: int) -> int:
    while text[pos] in " \t\r\n":
        pos += 1
    return pos


def _csv_rows(text: str, path: Path) -> list[tuple[int, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    missing = {"change", "fixed_by"} - set(reader.fieldnames or [])
    if missing:
        raise ConfigError(f"defect links {path}:1: CSV header lacks {sorted(missing)}: "
                          f"columns change,fixed_by[,origin,evidence,fixed_at] ({_DOC})")
    rows: list[tuple[int, Any]] = []
    start = reader.line_num + 1
    for row in reader:
        rows.append((start, row))
        start = reader.line_num + 1
    return rows


def _row(line: int, row: Any) -> LinkRow | RowProblem:
    if not isinstance(row, dict):
        return RowProblem(line, "a link must be an object with \"change\" and \"fixed_by\"")
    change, fixed_by = _text(row.get("change")), _text(row.get("fixed_by"))
    if change is None or fixed_by is None:
        return RowProblem(line, "needs non-empty text \"change\" and \"fixed_by\"")
    if len(change) > 256 or len(fixed_by) > 256:
        return RowProblem(line, "\"change\" and \"fixed_by\" are at most 256 characters")
    origin = _text(row.get("origin")) or "szz"
    if origin not in ORIGINS:
        return RowProblem(line, f"origin {origin!r} is not one of {', '.join(ORIGINS)}")
    fixed_at = _text(row.get("fixed_at"))
    when = _time(fixed_at) if fixed_at else None
    if fixed_at and when is None:
        return RowProblem(line, f"fixed_at {fixed_at!r} is not RFC 3339 with a timezone offset")
    return LinkRow(line, change, fixed_by, origin, _text(row.get("evidence")), when)


def _text(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _time(value: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else None
