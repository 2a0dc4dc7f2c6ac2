"""Control-plane audit logs: AWS CloudTrail records and Kubernetes audit events -> agent_action.

CloudTrail: one record, a JSON array of records, ``{"Records": [...]}`` or an EventBridge
``AWS API Call via CloudTrail`` envelope. Kubernetes: ``audit.k8s.io/v1`` and ``v1beta1`` events
(the top-level ``apiVersion`` may be missing), ``EventList`` too; only the stage that answers the
request (``ResponseComplete``, or ``ResponseStarted`` for long-running exec/attach) is kept.
"""

from __future__ import annotations

import json
from typing import Any

from adapters.base import Context, build, get, opt, parse_time
from adapters.tiers import cloudtrail_tier, k8s_tier
from schemas.event import Event

_K8S_STAGES = {"ResponseComplete", "ResponseStarted", "Panic"}


def cloudtrail(body: Any, ctx: Context) -> list[Event]:
    if isinstance(body, dict) and body.get("detail-type") == "AWS API Call via CloudTrail":
        return [_trail_record(get(ctx, body, "detail", dict), ctx)]
    records = body.get("Records") if isinstance(body, dict) and "Records" in body else body
    if isinstance(records, list):
        return [_trail_record(record, ctx) for record in records]
    if isinstance(body, dict) and "detail-type" in body:
        raise ctx.reject(
            f"EventBridge event {body['detail-type']!r} is not a CloudTrail API call", "$.detail-type"
        )
    return [_trail_record(body, ctx)]


def _trail_record(record: Any, ctx: Context) -> Event:
    name = get(ctx, record, "eventName", str)
    event_id = get(ctx, record, "eventID", str)
    identity = get(ctx, record, "userIdentity", dict)
    principal = identity.get("arn") or identity.get("userName") or identity.get("principalId") or "unknown"
    error = record.get("errorCode")
    target = _trail_target(record)
    return build(
        ctx,
        {
            "event_id": f"cloudtrail:{event_id}",
            "event_type": "agent_action",
            "source": "aws-cloudtrail",
            "source_ref": event_id,
            "occurred_at": parse_time(ctx, get(ctx, record, "eventTime"), "$.eventTime"),
            "cloud_region": record.get("awsRegion"),
            "service_name": str(get(ctx, record, "eventSource", str)),
            "attributes": {
                "user_agent": str(record.get("userAgent", ""))[:1024],
                "source_ip": str(record.get("sourceIPAddress", "")),
            },
            "payload": {
                "gen_ai_agent_name": str(record.get("userAgent") or "aws")[:256],
                "enduser_id": principal,
                "gen_ai_tool_name": f"{record['eventSource']}:{name}",
                "verb": name,
                "target_resource": target,
                "tool_input_json": json.dumps(record.get("requestParameters"))[:65_536],
                "consequence_tier": cloudtrail_tier(name, record.get("readOnly")),
                "authorization": "policy",
                "decision": "denied" if error == "AccessDenied" else "allowed",
                "outcome": "failed" if error else "succeeded",
                "error_message": f"{error}: {record.get('errorMessage', '')}" if error else None,
                "cloud_account_id": record.get("recipientAccountId") or identity.get("accountId"),
            },
        },
    )


def _trail_target(record: dict[str, Any]) -> str | None:
    params = record.get("requestParameters") or {}
    if not isinstance(params, dict):
        return None
    for key, value in params.items():
        if key.endswith(("Name", "Id", "Arn", "Identifier")) and isinstance(value, str):
            return f"{record['eventSource'].split('.')[0]}:{value}"
    return None


def k8s_audit(body: Any, ctx: Context) -> list[Event]:
    if isinstance(body, dict) and body.get("kind") == "EventList":
        return [e for item in get(ctx, body, "items", list) for e in k8s_audit(item, ctx)]
    if get(ctx, body, "kind", str) != "Event":
        raise ctx.fail("$.kind", f"expected an audit Event, got {body.get('kind')!r}")
    stage = get(ctx, body, "stage", str)
    if stage not in _K8S_STAGES:
        raise ctx.reject(f"stage {stage}: the same request is recorded again when it completes", "$.stage")
    verb = get(ctx, body, "verb", str)
    ref = get(ctx, body, "objectRef", dict)
    resource = get(ctx, ref, "resource", str, at="$.objectRef")
    sub = ref.get("subresource")
    namespace = ref.get("namespace") if resource != "namespaces" else None
    target = f"k8s:{resource}/" + "/".join(p for p in (namespace, ref.get("name", "*"), sub) if p)
    code = opt(body, "responseStatus.code", 0)
    decision = opt(body, "annotations", {}).get("authorization.k8s.io/decision", "allow")
    return [
        build(
            ctx,
            {
                "event_id": f"k8s-audit:{get(ctx, body, 'auditID', str)}:{stage}",
                "event_type": "agent_action",
                "source": "k8s-audit",
                "source_ref": body["auditID"],
                "occurred_at": parse_time(
                    ctx,
                    body.get("requestReceivedTimestamp") or get(ctx, body, "timestamp"),
                    "$.requestReceivedTimestamp",
                ),
                "attributes": {"request_uri": str(body.get("requestURI", ""))[:1024], "stage": stage},
                "payload": {
                    "gen_ai_agent_name": str(body.get("userAgent") or "kubernetes-client")[:256],
                    "enduser_id": get(ctx, body, "user.username", str),
                    "gen_ai_tool_name": f"k8s:{verb}",
                    "verb": verb,
                    "target_resource": target,
                    "command": f"{verb} {resource}{'/' + sub if sub else ''} {ref.get('name', '')}".strip(),
                    "consequence_tier": k8s_tier(verb, resource, sub),
                    "authorization": "policy",
                    "decision": "allowed" if decision == "allow" else "denied",
                    "outcome": "succeeded" if 100 <= code < 400 else ("failed" if code else "unknown"),
                },
            },
        )
    ]
