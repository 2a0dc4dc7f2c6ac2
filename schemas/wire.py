"""Rules for an event's JSON text that the models cannot see once a parser has built the value.

- **Depth.** Objects and arrays nest at most :data:`MAX_DEPTH` levels (the contracts need five).
  Parsers recurse or keep a stack per level: a value nested tens of thousands deep makes some of
  them crash the process (not merely raise), so the depth is bounded *before* any parser sees the
  text. :func:`too_deep` is cheap: the count of ``[`` and ``{`` bounds the depth, and only a text
  with more of them than the limit is scanned (strings skipped).
- **Duplicate keys.** ``{"a": 1, "a": 2}`` is refused: parsers silently keep one of the two, and
  which one differs between them.
- **NaN, Infinity.** Not JSON (RFC 8259), though Python and some readers accept them; a number
  too large for a double (``1e400``) reads as Infinity and is refused too.

:func:`wire_problem` reports the first broken rule with its JSON path, or None.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_DEPTH = 64
"""Nesting levels of objects and arrays an event may have (the contracts' deepest is five)."""

# a JSON string literal, escapes included (an unterminated one does not match and is scanned)
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))


def too_deep(raw: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether the objects and arrays of ``raw`` nest deeper than ``limit`` levels."""
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    return json_depth(raw) > limit


def json_depth(raw: bytes) -> int:
    """The deepest nesting of objects and arrays in ``raw`` (brackets inside strings do not
    count; text that is not JSON gets the depth its brackets spell)."""
    import numpy as np  # only texts with many brackets get here

    brackets = np.frombuffer(_STRING.sub(b"", raw).translate(None, _NOT_BRACKETS), np.uint8)
    if not len(brackets):
        return 0
    steps = np.where((brackets == ord("[")) | (brackets == ord("{")), 1, -1)
    return max(0, int(np.cumsum(steps).max()))


class _Pairs(list[tuple[str, Any]]):
    """An object as parsed: its (key, value) pairs in order, repeats kept."""


def wire_problem(raw: bytes | str) -> str | None:
    """The first duplicate key or non-finite number of the JSON ``raw``, as ``<path>: <what>``;
    None when there is none or ``raw`` is not JSON at all (the model's parser says why). Call it
    only on text :func:`too_deep` passed."""
    try:
        value = json.loads(raw, object_pairs_hook=_Pairs, parse_constant=_NonFinite,
                           parse_float=_float)
    except (ValueError, RecursionError):
        return None
    return _walk(value, "$")


class _NonFinite(str):
    """A number that is not finite, as written (``NaN``, ``-Infinity``, ``1e400``)."""


def _float(text: str) -> float | _NonFinite:
    value = float(text)
    return value if math.isfinite(value) else _NonFinite(text)


def _walk(value: Any, path: str) -> str | None:
    if isinstance(value, _NonFinite):
        return f"{path}: {value[:40]} is not a finite number (NaN and Infinity are not JSON)"
    if isinstance(value, _Pairs):
        seen: set[str] = set()
        for key, item in value:
            if key in seen:
                return f"{path}: duplicate key {json.dumps(key)[:80]}"
            seen.add(key)
            found = _walk(item, f"{path}.{key}")
            if found:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = _walk(item, f"{path}[{i}]")
            if found:
                return found
    return None
