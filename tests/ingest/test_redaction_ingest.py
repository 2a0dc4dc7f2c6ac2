"""The worker's redaction on every path: the vectorized path and the pydantic path land no secret,
and a dead letter keeps none (value, key, message, headers) but the hash of the value as received."""

from __future__ import annotations

import hashlib
import json

import pytest

from aftershock.settings import EVENT_TYPES
from ingest.deadletters import headers, letter
from ingest.fast_spec import Rule, event_rules
from ingest.validate import Limits, Rejected, classify
from schemas.redaction import redact_text
from tests.ingest.test_fast_path import MAX, assert_same, vectorized
from tests.schemas.secret_corpus import events, invalid_records, template

CORPUS = events()
INVALID = invalid_records()


def test_corpus_lands_the_same_on_both_paths_without_a_secret() -> None:
    raws = [json.dumps(body).encode() for _, body, _ in CORPUS]
    assert_same(raws)
    acc, dead = vectorized(raws)
    assert not dead and acc.events == len(raws)
    landed = json.dumps([table.to_pylist() for _, _, table in acc.tables()], default=str,
                        ensure_ascii=False)
    for label, _, secret in CORPUS:
        assert secret not in landed, label


@pytest.mark.parametrize(("label", "raw", "secret"), INVALID, ids=[c[0] for c in INVALID])
def test_an_invalid_record_is_dead_lettered_without_its_secret(label: str, raw: bytes, secret: str) -> None:
    why = classify(raw, Limits(MAX))
    assert isinstance(why, Rejected)
    dead = letter(why, raw, raw, None, "audit.changes", 1, 7)
    kept = [dead.raw, dead.key or b"", dead.error_message.encode(), *(v for _, v in headers(dead))]
    for value in kept:
        assert secret.encode() not in value, label
        assert secret not in value.decode(errors="ignore").replace("\x00", ""), label
    assert dead.raw_sha256 == hashlib.sha256(raw).hexdigest()
    assert dead.raw != raw


@pytest.mark.parametrize("raw", [b"\xff\xfe\x00 not utf-8", b"{not json", b'{"a": "\\u0041", "b": 1}',
                                 b"", json.dumps({"event_type": "nope", "note": "ls -la"}).encode()])
def test_a_dead_letter_without_a_secret_keeps_its_bytes_as_received(raw: bytes) -> None:
    why = classify(raw, Limits(MAX))
    assert isinstance(why, Rejected)
    dead = letter(why, raw, b"key\xff", None, "audit.changes", 0, 1)
    assert (dead.raw, dead.key, dead.raw_sha256) == (raw, b"key\xff", hashlib.sha256(raw).hexdigest())


def test_the_error_message_names_a_secret_key_redacted() -> None:
    body = template("change") | {"attributes": {"ghp_" + "Zq1" * 12: "v" * 1100}}
    why = classify(json.dumps(body).encode(), Limits(MAX))
    assert isinstance(why, Rejected) and "$.attributes: Value error, attribute '[REDACTED:github_token]'" \
        in why.message
    assert "Zq1Zq1" not in why.message


def test_texts_the_vectorized_path_does_not_read_cannot_hold_a_secret() -> None:
    """It skips texts its rules pin down: every literal they allow is left alone by the redaction."""
    def literals(rule: Rule) -> list[str]:
        found = list(rule.literals or [])
        for child in (*rule.children, *([rule.item] if rule.item else [])):
            found += literals(child)
        return found

    allowed = {lit for t in EVENT_TYPES for rule in event_rules(t) for lit in literals(rule)}
    assert len(allowed) > 30
    for literal in allowed:
        assert redact_text(literal) == (literal, [])
