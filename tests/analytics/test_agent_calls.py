"""A tool call reported by several hooks is one action in the figures (model_agent_calls.sql).

Claude Code reports one Bash call before it runs (PreToolUse) and again after it ran
(PostToolUse) or when it was refused (PermissionDenied), each with the call's ``tool_use_id``.
From the real hook payloads: call 1 (``terraform destroy``) is reported before and after it ran;
call 2 (``kubectl delete namespace``) before it would run and when it was denied; call 3 is a
PostToolUse without a ``tool_use_id`` (a call of its own).
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.registry import adapt
from analytics.metrics import ReportParams, build_report
from ingest.backfill import land_events
from lake.reader import open_lake
from schemas.event import Event

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _hook(base: dict[str, Any], hook: str, command: str, call_id: str | None) -> dict[str, Any]:
    body = copy.deepcopy(base)
    body["hook_event_name"] = hook
    body["tool_input"]["command"] = command
    body["permission_mode"] = "default"
    body.pop("reason", None)
    if call_id is None:
        body.pop("tool_use_id", None)
    else:
        body["tool_use_id"] = call_id
    return body


def _events(real_events: Path) -> list[Event]:
    base = json.loads((real_events / "claude-code-hooks/PreToolUse.Bash.json").read_text(encoding="utf-8"))
    calls = [
        ("PreToolUse", "terraform destroy -auto-approve", "toolu_1"),
        ("PostToolUse", "terraform destroy -auto-approve", "toolu_1"),
        ("PreToolUse", "kubectl delete namespace payments", "toolu_2"),
        ("PermissionDenied", "kubectl delete namespace payments", "toolu_2"),
        ("PostToolUse", "ls -la", None),
    ]
    return [event for minute, (hook, command, call) in enumerate(calls)
            for event in adapt("claude-code", _hook(base, hook, command, call),
                               received_at=T0 + timedelta(minutes=minute))]


@pytest.fixture()
def report(real_events: Path, tmp_path: Path) -> dict[str, Any]:
    lake = tmp_path / "lake"
    events = _events(real_events)
    assert len(events) == 5
    land_events(lake, events)
    con = open_lake(lake)
    try:
        return build_report(con, ReportParams(since=T0 - timedelta(hours=1), until=T0 + timedelta(hours=1)))
    finally:
        con.close()


def test_a_call_reported_before_and_after_it_ran_counts_once(report: dict[str, Any]) -> None:
    agents = report["agents"]
    assert (agents["destructive"], agents["destructive_executed"],
            agents["destructive_without_second_authorization"]) == (2, 1, 1)


def test_a_denied_call_is_denied_whatever_its_earlier_report_said(report: dict[str, Any]) -> None:
    by_tier = {(a["consequence_tier"], a["decision"]): a["actions"] for a in report["agents"]["actions"]}
    assert by_tier == {("destructive", "allowed"): 1, ("destructive", "denied"): 1, ("read", "allowed"): 1}
