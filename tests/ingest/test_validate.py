"""The bad-data policy: one function decides, one setting says what happens."""

from __future__ import annotations

import pytest

from aftershock.errors import EventError
from ingest.validate import Limits, Rejected, classify, enforce
from schemas.examples import example_event


def test_a_valid_event_comes_back_redacted() -> None:
    event = example_event("agent_action", payload={
        **example_event("agent_action").payload.model_dump(),
        "command": "aws s3 ls --profile x AKIAABCDEFGHIJKLMNOP"})
    outcome = classify(event.model_dump_json().encode(), Limits())
    assert not isinstance(outcome, Rejected)
    assert "AKIAABCDEFGHIJKLMNOP" not in outcome.model_dump_json()
    assert any(r.kind == "aws_access_key_id" for r in outcome.redactions)


@pytest.mark.parametrize(("raw", "reason"), [
    (None, "undecodable"), (b"\xff", "undecodable"), (b"{", "undecodable"),
    (b'{"event_type": "nope"}', "unknown_type"), (b"[]", "invalid"), (b"x" * 101, "oversized"),
])
def test_bad_records_are_classified(raw: bytes | None, reason: str) -> None:
    outcome = classify(raw, Limits(100))
    assert isinstance(outcome, Rejected) and outcome.reason == reason and outcome.message


def test_invalid_names_the_json_path() -> None:
    body = example_event("change").model_dump_json().replace('"author_kind":"human"', '"author_kind":"robot"')
    outcome = classify(body.encode(), Limits())
    assert isinstance(outcome, Rejected) and "$.payload.author_kind" in outcome.message


def test_fail_policy_stops_with_where_and_why() -> None:
    why = Rejected("invalid", "ValidationError", "$.source: missing")
    enforce("dead_letter", why, "t[0]@5")  # keeps going
    with pytest.raises(EventError, match=r"t\[0\]@5: invalid: \$.source: missing"):
        enforce("fail", why, "t[0]@5")
