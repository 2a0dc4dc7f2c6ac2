"""The committed JSON Schema files match the models, and valid events validate against them."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from aftershock.cli import main
from aftershock.settings import EVENT_TYPES
from schemas.examples import example_event
from schemas.export import json_schemas, render

COMMITTED = Path(__file__).resolve().parents[2] / "schemas" / "json"


def test_committed_schemas_match_the_models() -> None:
    expected = {name: render(schema) for name, schema in json_schemas().items()}
    committed = {p.name: p.read_text(encoding="utf-8") for p in COMMITTED.glob("*.json")}
    stale = sorted(n for n in expected.keys() | committed.keys() if expected.get(n) != committed.get(n))
    assert not stale, f"schemas/json is out of date ({stale}): run `aftershock schemas export schemas/json`"


def test_export_command_writes_every_type(tmp_path: Path) -> None:
    assert main(["schemas", "export", str(tmp_path / "out")]) == 0
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == sorted([f"{t}.schema.json" for t in EVENT_TYPES] + ["event.schema.json"])


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_example_events_validate_against_the_json_schema(event_type: str) -> None:
    data = json.loads(example_event(event_type).model_dump_json())
    for name in (f"{event_type}.schema.json", "event.schema.json"):
        schema = json.loads((COMMITTED / name).read_text(encoding="utf-8"))
        jsonschema.validate(data, schema, cls=jsonschema.Draft202012Validator)


def test_json_schema_rejects_what_the_model_rejects() -> None:
    data = json.loads(example_event("incident").model_dump_json())
    data["payload"]["severity"] = 9
    schema = json.loads((COMMITTED / "event.schema.json").read_text(encoding="utf-8"))
    with pytest.raises(jsonschema.ValidationError, match="severity|9"):
        jsonschema.validate(data, schema, cls=jsonschema.Draft202012Validator)
