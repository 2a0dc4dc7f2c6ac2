"""Every secret shape in every place a string can sit is redacted; harmless text is left alone."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from schemas.event import parse_event, parse_obj
from schemas.redaction import redact_event, redact_text, redacted_json
from tests.schemas.secret_corpus import HARMLESS, PLACES, SHAPES, events, place, template

CORPUS = events()


def _everything(event: object) -> str:
    return json.dumps(event, ensure_ascii=False)


@pytest.mark.parametrize(("label", "body", "secret"), CORPUS, ids=[c[0] for c in CORPUS])
def test_each_shape_in_each_place_is_redacted(label: str, body: dict[str, object], secret: str) -> None:
    event = parse_obj(body)
    assert secret in _everything(event.model_dump(mode="json"))  # the corpus does carry it
    clean = redact_event(event)
    dumped = clean.model_dump(mode="json")
    assert secret not in _everything(dumped), label
    assert len(clean.redactions) > len(event.redactions)
    assert parse_obj(dumped) == clean  # still a valid event
    sent, value = redacted_json(event)
    assert sent == clean and secret not in value.decode() and parse_event(value) == clean


@pytest.mark.parametrize(("shape", "text", "secret"), SHAPES, ids=[s[0] for s in SHAPES])
def test_each_shape_is_redacted_once_and_for_all(shape: str, text: str, secret: str) -> None:
    clean, kinds = redact_text(text)
    assert secret not in clean and kinds and "[REDACTED:" in clean
    assert redact_text(clean) == (clean, [])  # a redacted text is left as it is


@pytest.mark.parametrize("text", HARMLESS)
def test_harmless_text_survives_in_every_place(text: str) -> None:
    assert redact_text(text) == (text, [])
    for _name, event_type, where in PLACES:
        event = parse_obj(place(template(event_type), where, text))
        assert redact_event(event) is event


def test_attribute_keys_redacted_alike_are_all_kept() -> None:
    body = template("change") | {"attributes": {"ghp_" + "a1" * 18: "x", "ghp_" + "b2" * 18: "y",
                                                "db_password": "Nb4Vc3Xz2", "team": "payments"}}
    clean = redact_event(parse_obj(body))
    assert clean.attributes == {"[REDACTED:github_token]": "x", "[REDACTED:github_token]#2": "y",
                                "db_password": "[REDACTED:secret_json_field]", "team": "payments"}
    assert {r.path for r in clean.redactions[-3:]} == {
        "$.attributes.[REDACTED:github_token]", "$.attributes.[REDACTED:github_token]#2",
        "$.attributes.db_password"}


def test_a_redacted_string_is_cut_to_its_field_limit_between_markers() -> None:
    body = template("change")
    body["payload"]["author"] = "x" * 247 + "TOKEN=ab"  # 255 characters; redacted: longer than 256
    clean = redact_event(parse_obj(body))
    assert clean.payload.author == "x" * 247 + "TOKEN="
    assert parse_obj(clean.model_dump(mode="json")) == clean


def test_simulated_history_is_left_untouched(tmp_path: Path) -> None:
    out = tmp_path / "events.ndjson"
    subprocess.run([sys.executable, "-m", "aftershock", "simulate", "--days", "2", "--seed", "3",
                    "--out", str(out)], check=True, capture_output=True)
    lines = out.read_bytes().splitlines()
    assert len(lines) > 1000
    for line in lines:
        event = parse_event(line)
        assert redact_event(event) is event, line[:300]
