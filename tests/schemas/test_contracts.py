"""The event contracts: examples, UTC timestamps, clear errors."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from aftershock.settings import EVENT_TYPES
from schemas.event import EVENT_CLASSES, describe_error, parse_obj
from schemas.examples import example_event


def _models(model: type[BaseModel], seen: set[type[BaseModel]]) -> set[type[BaseModel]]:
    seen.add(model)
    for info in model.model_fields.values():
        for arg in _type_args(info.annotation):
            if isinstance(arg, type) and issubclass(arg, BaseModel) and arg not in seen:
                _models(arg, seen)
    return seen


def _type_args(tp: object) -> list[object]:
    args = list(getattr(tp, "__args__", ()) or ())
    return [tp, *[a for arg in args for a in _type_args(arg)]]


def test_event_types_match_settings() -> None:
    assert tuple(EVENT_CLASSES) == EVENT_TYPES


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_every_field_has_description_and_example(event_type: str) -> None:
    for model in _models(EVENT_CLASSES[event_type], set()):
        for name, info in model.model_fields.items():
            if name in {"event_type", "payload"}:
                continue
            assert info.description, f"{model.__name__}.{name} has no description"
            assert info.examples, f"{model.__name__}.{name} has no example"


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_examples_make_valid_events_that_round_trip(event_type: str) -> None:
    event = example_event(event_type)
    assert parse_obj(event.model_dump(mode="json")) == event


def test_timestamps_are_normalised_to_utc() -> None:
    event = example_event("change", occurred_at="2026-11-02T16:03:11+02:00")
    assert event.occurred_at.isoformat() == "2026-11-02T14:03:11+00:00"


def test_naive_timestamp_is_rejected_with_its_path() -> None:
    data = example_event("incident").model_dump(mode="json")
    data["payload"]["detected_at"] = "2026-11-02T14:07:00"
    with pytest.raises(ValidationError) as err:
        parse_obj(data)
    assert describe_error(err.value) == "$.payload.detected_at: Input should have timezone info"


def test_unknown_event_type_is_named() -> None:
    data = example_event("change").model_dump(mode="json") | {"event_type": "chnage"}
    with pytest.raises(ValidationError) as err:
        parse_obj(data)
    assert "chnage" in describe_error(err.value)


def test_timestamp_outside_the_utc_range_is_an_invalid_event_not_a_crash() -> None:
    data = example_event("change").model_dump(mode="json")
    data["occurred_at"] = "0001-01-01T00:00:00+01:00"
    with pytest.raises(ValidationError) as err:
        parse_obj(data)
    assert describe_error(err.value).startswith("$.occurred_at: Value error, timestamp 0001-01-01")
