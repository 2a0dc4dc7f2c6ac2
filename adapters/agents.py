"""Agent sources: Claude Code hook inputs and OpenTelemetry GenAI spans/attribute values.

Claude Code hook inputs carry no timestamp: the event time is the delivery's ``received_at``
(else the import time). PreToolUse -> ``asked``/unknown outcome, PostToolUse -> succeeded,
PostToolUseFailure -> failed, PermissionDenied -> denied/blocked. Session and prompt hooks carry
no action and are rejected with that reason.
"""

from __future__ import annotations

import json
from typing import Any

from adapters.base import Context, build, digest, event_time, get, parse_time
from adapters.tiers import tool_tier
from schemas.event import Event

_HOOKS = {
    "PreToolUse": ("allowed", "unknown"),
    "PostToolUse": ("allowed", "succeeded"),
    "PostToolUseFailure": ("allowed", "failed"),
    "PermissionDenied": ("denied", "blocked"),
}
_NO_ACTION = {
    "SessionStart",
    "SessionEnd",
    "Stop",
    "SubagentStop",
    "UserPromptSubmit",
    "Notification",
    "PreCompact",
    "SubagentStart",
    "Setup",
}
_VERBS = {
    "bash": "exec",
    "write": "write",
    "edit": "edit",
    "multiedit": "edit",
    "read": "read",
    "grep": "read",
    "glob": "read",
    "webfetch": "fetch",
}


def claude_code(body: Any, ctx: Context) -> list[Event]:
    hook = get(ctx, body, "hook_event_name", str)
    if hook in _NO_ACTION:
        raise ctx.reject(f"a {hook} hook carries no tool call (no action to audit)", "$.hook_event_name")
    if hook not in _HOOKS:
        raise ctx.fail(
            "$.hook_event_name", f"unknown hook {hook!r}; known: {', '.join([*_HOOKS, *_NO_ACTION])}"
        )
    decision, outcome = _HOOKS[hook]
    tool = get(ctx, body, "tool_name", str)
    tool_input = get(ctx, body, "tool_input", dict)
    command = tool_input.get("command") if isinstance(tool_input.get("command"), str) else None
    path = tool_input.get("file_path") or tool_input.get("path")
    session = get(ctx, body, "session_id", str)
    call_id = body.get("tool_use_id")
    model = body.get("model") if body.get("model") not in (None, "unknown") else None
    return [
        build(
            ctx,
            {
                "event_id": f"claude-code:{digest(session, call_id, hook, tool_input)}",
                "event_type": "agent_action",
                "source": "claude-code",
                "source_ref": call_id,
                "occurred_at": event_time(ctx),
                "session_id": session,
                "attributes": {
                    "hook_event_name": hook,
                    "cwd": str(body.get("cwd", ""))[:1024],
                    "permission_mode": str(body.get("permission_mode", "")),
                },
                "payload": {
                    "gen_ai_agent_name": "claude-code",
                    "gen_ai_request_model": model,
                    "gen_ai_tool_name": tool,
                    "gen_ai_tool_call_id": call_id,
                    "verb": _VERBS.get(tool.lower(), tool.lower()),
                    "target_resource": f"file:{path}" if isinstance(path, str) else None,
                    "command": command,
                    "tool_input_json": json.dumps(tool_input)[:65_536],
                    "consequence_tier": tool_tier(tool, command, path if isinstance(path, str) else None),
                    "authorization": "none"
                    if body.get("permission_mode") in ("bypassPermissions", "auto")
                    else "policy",
                    "decision": decision,
                    "outcome": outcome,
                    "error_message": body.get("error") or body.get("reason"),
                },
            },
        )
    ]


def otel_genai(body: Any, ctx: Context) -> list[Event]:
    """An OTLP/JSON span (or resourceSpans export) with gen_ai attributes, or a bare
    ``gen_ai.output.messages`` value: each tool call becomes one agent_action."""
    if isinstance(body, dict) and "resourceSpans" in body:
        spans = [
            s for rs in body["resourceSpans"] for ss in rs.get("scopeSpans", []) for s in ss.get("spans", [])
        ]
        return [e for span in spans for e in otel_genai(span, ctx)]
    if isinstance(body, dict) and "attributes" in body:
        return _span(body, ctx)
    if isinstance(body, list) and body and all(isinstance(m, dict) and "parts" in m for m in body):
        if any(m.get("role") != "assistant" for m in body):
            raise ctx.reject(
                "gen_ai.input.messages: the conversation history repeats calls recorded "
                "from the output messages of earlier spans",
                "$[0].role",
            )
        return _tool_calls(body, ctx, {}, event_time(ctx))
    if (
        isinstance(body, list)
        and body
        and all(isinstance(t, dict) and t.get("type") == "function" for t in body)
    ):
        raise ctx.reject("gen_ai.tool.definitions declares the tools an agent may call; it calls none")
    raise ctx.fail("$", "expected an OTLP span with gen_ai.* attributes or a gen_ai.output.messages value")


def _span(span: dict[str, Any], ctx: Context) -> list[Event]:
    attrs = {a["key"]: _otlp_value(a.get("value", {})) for a in span.get("attributes", []) if "key" in a}
    when = parse_time(ctx, int(get(ctx, span, "startTimeUnixNano", (str, int))), "$.startTimeUnixNano")
    output = attrs.get("gen_ai.output.messages")
    messages = json.loads(output) if isinstance(output, str) else output
    if not messages:
        name = attrs.get("gen_ai.tool.name")
        if not name:
            raise ctx.reject("the span has no tool call (no gen_ai.tool.name, no tool_call output)")
        messages = [
            {
                "role": "assistant",
                "parts": [
                    {
                        "type": "tool_call",
                        "name": name,
                        "id": attrs.get("gen_ai.tool.call.id"),
                        "arguments": attrs.get("gen_ai.tool.call.arguments"),
                    }
                ],
            }
        ]
    return _tool_calls(messages, ctx, attrs, when)


def _otlp_value(value: dict[str, Any]) -> Any:
    for key in ("stringValue", "intValue", "doubleValue", "boolValue"):
        if key in value:
            return value[key]
    return None


def _tool_calls(messages: list[Any], ctx: Context, attrs: dict[str, Any], when: Any) -> list[Event]:
    calls = [p for m in messages for p in m.get("parts", []) if p.get("type") == "tool_call"]
    if not calls:
        raise ctx.reject("the output messages contain no tool_call part (text only: no action)")
    events = []
    for index, call in enumerate(calls):
        name = get(ctx, call, "name", str, at="$[*].parts[*]")
        arguments = call.get("arguments")
        events.append(
            build(
                ctx,
                {
                    "event_id": f"otel-genai:{call.get('id') or digest(messages, index)}",
                    "event_type": "agent_action",
                    "source": "otel-genai",
                    "source_ref": call.get("id"),
                    "occurred_at": when,
                    "session_id": attrs.get("gen_ai.conversation.id"),
                    "payload": {
                        "gen_ai_agent_name": str(
                            attrs.get("gen_ai.agent.name")
                            or attrs.get("gen_ai.provider.name")
                            or "unknown-agent"
                        ),
                        "gen_ai_request_model": attrs.get("gen_ai.request.model"),
                        "gen_ai_tool_name": name,
                        "gen_ai_tool_call_id": call.get("id"),
                        "verb": name.split("_")[0].lower(),
                        "tool_input_json": json.dumps(arguments) if arguments is not None else None,
                        "consequence_tier": tool_tier(name, None, None),
                        "authorization": "none",
                        "decision": "allowed",
                        "outcome": "unknown",
                    },
                },
            )
        )
    return events
