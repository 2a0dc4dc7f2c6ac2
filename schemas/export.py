"""JSON Schema of every event type, for producers written in other languages.

``aftershock schemas export DIR`` writes ``<event_type>.schema.json`` for each type and
``event.schema.json`` (any event, selected by ``event_type``). The copies committed under
``schemas/json/`` are checked against the models by a test, so they never drift.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from schemas.common import SCHEMA_VERSION
from schemas.event import EVENT_CLASSES, Event

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
ID_BASE = "https://aftershock.dev/schemas"


def _document(schema: dict[str, Any], name: str, title: str) -> dict[str, Any]:
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": f"{ID_BASE}/{SCHEMA_VERSION}/{name}",
        "title": title,
        "x-schema-version": SCHEMA_VERSION,
        **schema,
    }


def json_schemas() -> dict[str, dict[str, Any]]:
    """File name -> JSON Schema document, one per event type plus the union."""
    docs = {}
    for event_type, cls in EVENT_CLASSES.items():
        name = f"{event_type}.schema.json"
        docs[name] = _document(cls.model_json_schema(), name, f"{event_type} event")
    union = TypeAdapter(Event).json_schema()
    docs["event.schema.json"] = _document(union, "event.schema.json", "Aftershock audit event")
    return docs


def render(schema: dict[str, Any]) -> str:
    """The exact text written to disk (stable key order, trailing newline)."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def export(directory: Path) -> list[Path]:
    """Write every schema into ``directory`` (created if missing); returns the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in json_schemas().items():
        path = directory / name
        path.write_text(render(schema), encoding="utf-8")
        written.append(path)
    return written
