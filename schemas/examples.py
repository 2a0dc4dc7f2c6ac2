"""Example events built from the ``examples`` every field documents."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from schemas.event import EVENT_CLASSES, Event, parse_obj


def example_values(model: type[BaseModel]) -> dict[str, Any]:
    """Each field's first documented example (nested models use their own examples)."""
    values: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if info.examples:
            values[name] = info.examples[0]
    return values


def example_event(event_type: str, **overrides: Any) -> Event:
    """A complete, valid event of ``event_type`` made of documented examples."""
    cls = EVENT_CLASSES[event_type]
    payload_model = cls.model_fields["payload"].annotation
    if not (isinstance(payload_model, type) and issubclass(payload_model, BaseModel)):
        raise TypeError(f"{cls.__name__}.payload is not a model")
    payload = example_values(payload_model)
    data = example_values(cls) | {"event_type": event_type, "payload": payload}
    return parse_obj(data | overrides)
