"""The hook's plain-dict events fit the agent_action contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from guard import event
from guard.event import Decision, build
from schemas.common import SCHEMA_VERSION
from schemas.event import parse_obj
from tests.conftest import REAL_EVENTS


def test_schema_version_matches_the_contract() -> None:
    assert event.SCHEMA_VERSION == SCHEMA_VERSION


@pytest.mark.parametrize("action", ["allow", "pass", "ask", "deny", "grant"])
@pytest.mark.parametrize("payload", sorted(p.name for p in (REAL_EVENTS / "claude-code-hooks").glob("P*")))
def test_every_decision_of_every_real_payload_validates(action: str, payload: str) -> None:
    body = json.loads((REAL_EVENTS / "claude-code-hooks" / payload).read_text())
    decision = Decision(action=action, tier="destructive", label="x", rule="r", reason="why " * 400,
                        request_id="req_1", grant_id="g1" if action == "allow" else "",
                        approver="alice" if action == "allow" else "", policy="default")
    parsed = parse_obj(build(body, decision))
    assert parsed.payload.consequence_tier == "destructive"
    if body["hook_event_name"] == "PreToolUse" and action == "allow":
        assert parsed.payload.authorization == "second_human"
        assert parsed.payload.approvers == ["alice"]


def test_huge_and_odd_inputs_still_validate() -> None:
    body = {"hook_event_name": "PreToolUse", "tool_name": "Bash", "session_id": "s", "tool_use_id": "t",
            "tool_input": {"command": "x" * 200_000, "n": [1, {"a": None}]}, "cwd": "/" * 5000}
    parsed = parse_obj(build(body, Decision(action="deny", tier="destructive", reason="r")))
    assert parsed.payload.decision == "denied" and len(parsed.payload.command or "") <= 65_536


def test_event_ids_are_stable_for_one_call_and_differ_between_calls() -> None:
    body = json.loads((Path(REAL_EVENTS) / "claude-code-hooks" / "PreToolUse.Bash.json").read_text())
    decision = Decision(action="pass", tier="mutate")
    assert build(body, decision)["event_id"] == build(body, decision)["event_id"]
    assert build(body | {"tool_use_id": "other"}, decision)["event_id"] != build(body, decision)["event_id"]


@pytest.mark.parametrize("moment", [0.0, 1_700_000_000.25, 1_799_999_999.9999996, 1_765_000_000.000001])
def test_occurred_at_is_the_moment_in_utc(moment: float) -> None:
    from datetime import UTC, datetime

    body = {"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": "ls"}}
    built = build(body, Decision(action="pass", tier="read"), now=moment)
    stamp = datetime.fromisoformat(built["occurred_at"])
    assert abs(stamp.timestamp() - moment) < 1e-5 and stamp.tzinfo is not None
    assert stamp.utcoffset() == datetime.fromtimestamp(moment, UTC).utcoffset()
