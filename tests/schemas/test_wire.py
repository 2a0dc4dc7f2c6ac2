"""Wire rules: nesting depth (exact, and cheap when brackets are few), duplicate keys, NaN."""

from __future__ import annotations

import json
import random
from typing import Any

import annotated_types as at
import pytest
from pydantic import BaseModel

from schemas.common import INT64_MAX
from schemas.event import EVENT_CLASSES
from schemas.wire import MAX_DEPTH, json_depth, too_deep, wire_problem


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    return 0


def _random_value(rng: random.Random, depth: int) -> Any:
    if depth == 0 or rng.random() < 0.2:
        return rng.choice([1, 'a[{"\\', None, "]}", 2.5])
    if rng.random() < 0.5:
        return [_random_value(rng, depth - 1) for _ in range(rng.randrange(4))]
    return {f"k{i}[": _random_value(rng, depth - 1) for i in range(rng.randrange(4))}


def test_depth_is_exact_and_ignores_brackets_in_strings() -> None:
    rng = random.Random(5)  # noqa: S311 - test data
    for _ in range(2000):
        value = _random_value(rng, rng.randrange(12))
        raw = json.dumps(value).encode()
        assert json_depth(raw) == _depth(value), raw
        assert too_deep(raw, 3) == (_depth(value) > 3)


def test_twenty_thousand_levels_are_too_deep_and_a_few_brackets_are_not_scanned() -> None:
    assert too_deep(b"[" * 20_000 + b"]" * 20_000)
    assert not too_deep(b'{"a": "' + b"[" * 100_000 + b'"}')  # inside a string
    assert json_depth(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH) == MAX_DEPTH
    assert not too_deep(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH)


@pytest.mark.parametrize(("raw", "problem"), [
    (b'{"a": 1, "a": 2}', '$: duplicate key "a"'),
    (b'{"a": {"b": [{"c": 1, "c": 1}]}}', '$.a.b[0]: duplicate key "c"'),
    (b'{"a": [1, NaN]}', "$.a[1]: NaN is not a finite number (NaN and Infinity are not JSON)"),
    (b'{"a": -Infinity}', "$.a: -Infinity is not a finite number (NaN and Infinity are not JSON)"),
    (b'{"a": 1e400}', "$.a: 1e400 is not a finite number (NaN and Infinity are not JSON)"),
    (b'{"a": 1, "b": {"a": 1}}', None),
    (b'{"a": 9999999999999999999999}', None),  # the contract bounds integers, not the wire
    (b"{broken", None),  # the model's parser says why
])
def test_wire_problems_name_their_path(raw: bytes, problem: str | None) -> None:
    assert wire_problem(raw) == problem


def _int_fields(model: type[BaseModel], path: str) -> list[tuple[str, list[Any]]]:
    found = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        args = getattr(annotation, "__args__", ())
        if annotation is int or int in args:
            found.append((f"{path}.{name}", info.metadata))
        for arg in (annotation, *args):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                found += _int_fields(arg, f"{path}.{name}")
            for inner in getattr(arg, "__args__", ()):
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    found += _int_fields(inner, f"{path}.{name}[]")
    return found


@pytest.mark.parametrize("event_type", sorted(EVENT_CLASSES))
def test_every_integer_field_fits_int64(event_type: str) -> None:
    fields = _int_fields(EVENT_CLASSES[event_type], "$")
    assert bool(fields) == (event_type in ("change", "incident"))  # the walk finds them
    for path, metadata in fields:
        upper = [m.le for m in metadata if isinstance(m, at.Le)] + [m.lt - 1 for m in metadata
                                                                     if isinstance(m, at.Lt)]
        lower = [m.ge for m in metadata if isinstance(m, at.Ge)] + [m.gt + 1 for m in metadata
                                                                     if isinstance(m, at.Gt)]
        assert upper and min(upper) <= INT64_MAX, path
        assert lower and max(lower) >= -INT64_MAX - 1, path
