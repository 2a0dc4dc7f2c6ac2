"""The ``agent_action`` event of one guard decision, as a plain dict (the contract in
``schemas/agent_action.py`` is validated, and secrets redacted, when the spool is shipped)."""

from __future__ import annotations

import json
import os
import time
from typing import Any, NamedTuple

SCHEMA_VERSION = "1.1"  # schemas.common.SCHEMA_VERSION (a test keeps them equal)
SOURCE = "aftershock.guard"
_TEXT_MAX = 60_000
_ATTRIBUTE_MAX = 1024
_VERBS = {"bash": "exec", "write": "write", "edit": "edit", "multiedit": "edit", "notebookedit": "edit",
          "read": "read", "grep": "read", "glob": "read", "webfetch": "fetch", "websearch": "fetch"}
# hook event -> (decision, outcome) for events that only record
RECORDED = {"PostToolUse": ("allowed", "succeeded"), "PostToolUseFailure": ("allowed", "failed"),
            "PermissionDenied": ("denied", "blocked")}
# guard action -> (decision, outcome, authorization) at PreToolUse
_PRE = {"allow": ("allowed", "unknown", "policy"), "pass": ("allowed", "unknown", "none"),
        "ask": ("asked", "unknown", "none"), "deny": ("denied", "blocked", "none"),
        "grant": ("denied", "blocked", "none")}


class Decision(NamedTuple):
    """What the guard decided about one PreToolUse (or what a recording hook reported)."""

    action: str = ""  # allow / pass / ask / grant / deny; "" for recorded events
    tier: str = "mutate"
    label: str = ""
    rule: str = ""
    reason: str = ""
    request_id: str = ""
    grant_id: str = ""
    approver: str = ""
    policy: str = ""


def build(hook_input: dict[str, Any], decision: Decision, now: float | None = None) -> dict[str, Any]:
    hook = str(hook_input.get("hook_event_name") or "PreToolUse")
    tool = str(hook_input.get("tool_name") or "unknown")[:256]
    raw_input = hook_input.get("tool_input")
    tool_input: dict[str, Any] = raw_input if isinstance(raw_input, dict) else {}
    command = tool_input.get("command") if isinstance(tool_input.get("command"), str) else None
    session = str(hook_input.get("session_id") or "") or None
    call_id = hook_input.get("tool_use_id") if isinstance(hook_input.get("tool_use_id"), str) else None
    decided, outcome, authorization = _fate(hook, decision)
    input_json = json.dumps(tool_input, sort_keys=True, ensure_ascii=False)
    model = hook_input.get("model")
    return {
        "event_id": _event_id(session, call_id, hook, decision),
        "event_type": "agent_action",
        "schema_version": SCHEMA_VERSION,
        "source": SOURCE,
        "source_ref": call_id,
        "occurred_at": _utc(time.time() if now is None else now),
        "session_id": session,
        "attributes": _attributes(hook_input, hook, decision),
        "payload": {
            "gen_ai_agent_name": "claude-code",
            "gen_ai_request_model": model if isinstance(model, str) and model != "unknown" else None,
            "gen_ai_tool_name": tool,
            "gen_ai_tool_call_id": call_id,
            "verb": _VERBS.get(tool.lower(), "mcp" if tool.startswith("mcp__") else "call"),
            "target_resource": _target(tool_input),
            "command": command[:_TEXT_MAX] if command is not None else None,
            "tool_input_json": input_json[:_TEXT_MAX],
            "consequence_tier": decision.tier,
            "authorization": authorization,
            "approvers": [decision.approver] if decision.approver else [],
            "decision": decided,
            "outcome": outcome,
            "error_message": _error(hook_input, decision, decided),
        },
    }


def _fate(hook: str, decision: Decision) -> tuple[str, str, str]:
    if hook in RECORDED:
        decided, outcome = RECORDED[hook]
        return decided, outcome, "none"
    if decision.action == "allow" and decision.grant_id:
        return "allowed", "unknown", "second_human"
    return _PRE.get(decision.action, ("allowed", "unknown", "none"))


def _event_id(session: str | None, call_id: str | None, hook: str, decision: Decision) -> str:
    """Stable for one call's one answer (a resend lands once), distinct between calls and answers."""
    if call_id is None:
        return f"guard:{os.urandom(16).hex()}"
    return f"guard:{session or '-'}:{call_id}:{hook}:{decision.action or 'recorded'}"[:256]


def _utc(moment: float) -> str:
    """ISO 8601 in UTC with microseconds (no datetime import on the hook path)."""
    seconds, micros = divmod(round(moment * 1_000_000), 1_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{micros:06d}+00:00"


def _attributes(hook_input: dict[str, Any], hook: str, decision: Decision) -> dict[str, str]:
    values = {
        "hook_event_name": hook, "cwd": str(hook_input.get("cwd") or ""),
        "permission_mode": str(hook_input.get("permission_mode") or ""),
        "guard_action": decision.action, "guard_label": decision.label, "guard_rule": decision.rule,
        "guard_reason": decision.reason, "request_id": decision.request_id,
        "grant_id": decision.grant_id, "policy": decision.policy,
    }
    return {k: v[:_ATTRIBUTE_MAX] for k, v in values.items() if v}


def _target(tool_input: dict[str, Any]) -> str | None:
    path = tool_input.get("file_path") or tool_input.get("notebook_path")
    return f"file:{path}"[:1024] if isinstance(path, str) and path else None


def _error(hook_input: dict[str, Any], decision: Decision, decided: str) -> str | None:
    if isinstance(hook_input.get("error"), str):
        return str(hook_input["error"])[:4096]
    if isinstance(hook_input.get("reason"), str):
        return str(hook_input["reason"])[:4096]
    return decision.reason[:4096] if decided == "denied" and decision.reason else None
