"""The contract of each event type as column rules for the vectorized path (derived, not restated).

Every pydantic field becomes a :class:`Rule`: the Arrow type the JSON reader reads it as
(timestamps as text, checked and converted afterwards), what a null means (``ok``: the field is
optional with default None; ``fill``: absent means the default; ``bad``: the field is required),
and its constraints (literal values, numeric bounds, string lengths, a pattern). Anything in a
model this module does not know how to check exactly — another validator, another constraint,
another config — raises ``Unsupported``, and the caller then uses the pydantic path for that type.
"""

from __future__ import annotations

import types
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types as at
import pyarrow as pa
from pydantic import AwareDatetime, BaseModel, TypeAdapter
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from lake.arrow_format import TIMESTAMP, arrow_type
from schemas.common import Model, _to_utc
from schemas.envelope import Envelope
from schemas.event import EVENT_CLASSES

_CONFIG = {"frozen": True, "extra": "forbid", "use_attribute_docstrings": False, "allow_inf_nan": False}
_VALIDATORS = {Envelope: {"_bounded"}}  # checked by ingest.fast_path (attributes) by hand
_SCALARS: dict[Any, pa.DataType] = {bool: pa.bool_(), str: pa.string(), int: pa.int64(),
                                    float: pa.float64()}


class Unsupported(TypeError):
    """A model holds something the vectorized checks cannot reproduce exactly."""


@dataclass(frozen=True)
class Rule:
    """How one field (or list item) is read, checked and filled."""

    name: str
    read: pa.DataType  # as the JSON reader reads it (timestamps as strings)
    out: pa.DataType  # as the lake stores it
    nulls: str  # ok | fill | bad
    default: Any = None  # the lake value of the default (nulls == "fill")
    literals: tuple[str, ...] | None = None
    bounds: tuple[tuple[str, float], ...] = ()  # (ge|gt|le|lt, limit)
    min_len: int | None = None
    max_len: int | None = None
    pattern: str | None = None
    timestamp: bool = False
    mapping: bool = False  # Envelope.attributes: read as an inferred struct, checked by hand
    children: tuple[Rule, ...] = ()  # struct fields
    item: Rule | None = None  # list item


_BOUNDS = {at.Ge: "ge", at.Gt: "gt", at.Le: "le", at.Lt: "lt"}


def _constraints(metadata: list[Any]) -> dict[str, Any]:
    found: dict[str, Any] = {"bounds": ()}
    for item in _flat(metadata):
        kind = type(item)
        if kind in _BOUNDS:
            op = _BOUNDS[kind]
            found["bounds"] += ((op, getattr(item, op)),)
        elif isinstance(item, at.MinLen):
            found["min_len"] = item.min_length
        elif isinstance(item, at.MaxLen):
            found["max_len"] = item.max_length
        elif type(item).__name__ == "_PydanticGeneralMetadata" and set(vars(item)) == {"pattern"}:
            found["pattern"] = item.pattern
        elif getattr(item, "func", None) is _to_utc:
            found["timestamp"] = True
        else:
            raise Unsupported(f"constraint {item!r}")
    return found


def _flat(metadata: list[Any]) -> list[Any]:
    """Constraints, with those of a nested ``Field(...)`` (``Annotated[str, Field(...)]``) inlined."""
    out = []
    for item in metadata:
        out += _flat(item.metadata) if isinstance(item, FieldInfo) else [item]
    return out


def _unwrap(annotation: Any) -> tuple[Any, bool, list[Any]]:
    """(bare annotation, allows None, Annotated metadata)."""
    nullable, metadata = False, list[Any]()
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            args = get_args(annotation)
            annotation, metadata = args[0], metadata + list(args[1:])
        elif origin in (Union, types.UnionType):
            inner = [a for a in get_args(annotation) if a is not type(None)]
            if len(inner) != 1:
                raise Unsupported(f"union {annotation!r}")
            nullable, annotation = True, inner[0]
        else:
            return annotation, nullable, metadata


def rule(name: str, annotation: Any, metadata: list[Any], nulls: str, default: Any = None) -> Rule:
    """The rule of one annotation (``metadata``: constraints pydantic moved onto the field)."""
    bare, nullable, inner = _unwrap(annotation)
    found = _constraints(metadata + inner)
    if nullable and nulls == "fill" and default is None:
        nulls = "ok"  # (optional and required stays "bad": a null is fine, an absence is not)
    origin = get_origin(bare)
    out = arrow_type(annotation)
    if origin is Literal:
        found["literals"] = tuple(get_args(bare))
        return Rule(name, out, out, nulls, default, **found)
    if origin is list:
        item = rule("item", get_args(bare)[0], [], "bad")
        return Rule(name, pa.list_(item.read), out, nulls, default, item=item, **found)
    if isinstance(bare, type) and issubclass(bare, BaseModel):
        children = model_rules(bare)
        read = pa.struct([pa.field(c.name, c.read) for c in children])
        return Rule(name, read, out, nulls, default, children=children, **found)
    if bare in (AwareDatetime, datetime):
        if not found.pop("timestamp", False) or bare is datetime:
            raise Unsupported(f"{name}: timestamps must be UtcDatetime")
        return Rule(name, pa.string(), TIMESTAMP, nulls, default, timestamp=True, **found)
    if bare in _SCALARS and type(bare) is type:
        return Rule(name, _SCALARS[bare], out, nulls, default, **found)
    raise Unsupported(f"{name}: {annotation!r}")


def _check_model(model: type[BaseModel]) -> None:
    if not issubclass(model, Model) or dict(model.model_config) != _CONFIG:
        raise Unsupported(f"{model.__name__}: config {model.model_config!r}")
    decorators = model.__pydantic_decorators__
    known = next((v for m, v in _VALIDATORS.items() if issubclass(model, m)), set())
    if set(decorators.field_validators) - known or decorators.model_validators \
            or decorators.field_serializers or decorators.model_serializers:
        raise Unsupported(f"{model.__name__}: validators or serializers")


def _default(info: Any, out_type: Any) -> tuple[str, Any]:
    if info.is_required():
        return "bad", None
    value = info.default_factory() if info.default_factory else info.default
    if value is PydanticUndefined:
        raise Unsupported("default")
    return "fill", TypeAdapter(out_type).dump_python(value)


def model_rules(model: type[BaseModel]) -> tuple[Rule, ...]:
    """One rule per field of ``model``, in declaration order."""
    _check_model(model)
    rules = []
    for name, info in model.model_fields.items():
        if info.alias not in (None, name) or info.validation_alias is not None:
            raise Unsupported(f"{model.__name__}.{name}: alias")
        nulls, default = _default(info, info.annotation)
        if name == "event_type":
            nulls = "bad"  # the discriminator: required on the wire whatever its default
        if issubclass(model, Envelope) and name == "attributes":
            if info.annotation != dict[str, str]:
                raise Unsupported("attributes")
            rules.append(Rule(name, pa.null(), arrow_type(info.annotation), nulls, default,
                              mapping=True))
        else:
            rules.append(rule(name, info.annotation, list(info.metadata), nulls, default))
    return tuple(rules)


@cache
def event_rules(event_type: str) -> tuple[Rule, ...]:
    """The rules of an event type: envelope fields, ``event_type``, ``payload`` (a struct)."""
    return model_rules(EVENT_CLASSES[event_type])
