"""Paging tools: PagerDuty webhooks v3 (``incident.*``) and Opsgenie outgoing webhooks."""

from __future__ import annotations

from typing import Any

from adapters.base import Context, build, get, opt, parse_time
from adapters.causes import causes_from_fields, pagerduty_fields
from schemas.event import Event

_PD_STATUS = {
    "incident.triggered": "triggered",
    "incident.reopened": "triggered",
    "incident.acknowledged": "acknowledged",
    "incident.resolved": "resolved",
}
_PD_STAMP = {"triggered": "detected_at", "acknowledged": "acknowledged_at", "resolved": "resolved_at"}
_URGENCY_SEVERITY = {"high": 2, "low": 4}
_OG_STATUS = {
    "create": "triggered",
    "acknowledge": "acknowledged",
    "close": "resolved",
    "unacknowledge": "triggered",
}


def pagerduty(body: Any, ctx: Context) -> list[Event]:
    event = get(ctx, body, "event", dict)
    kind = get(ctx, event, "event_type", str, at="$.event")
    if not kind.startswith("incident."):
        raise ctx.reject(
            f"{kind} is about a {event.get('resource_type')}, not an incident", "$.event.event_type"
        )
    data = get(ctx, event, "data", dict, at="$.event")
    incident_id = get(ctx, data, "id", str, at="$.event.data")
    status = _PD_STATUS.get(kind) or _pd_status(ctx, data)
    when = parse_time(ctx, get(ctx, event, "occurred_at", at="$.event"), "$.event.occurred_at")
    service = ctx.catalog.for_paging(opt(data, "service.id"), opt(data, "service.summary"))
    payload: dict[str, Any] = {
        "title": get(ctx, data, "title", str, at="$.event.data"),
        "status": status,
        "severity": _pd_severity(data),
        "urgency": data.get("urgency"),
        _PD_STAMP[status]: when,
        "affected_services": [{"name": service, "criticality": ctx.catalog.criticality(service)}]
        if service
        else [],
    }
    if data.get("created_at") and status != "triggered":
        payload["detected_at"] = parse_time(ctx, data["created_at"], "$.event.data.created_at")
    causes = causes_from_fields(pagerduty_fields(data.get("custom_fields")))
    if causes:
        payload["causes"] = causes
    return [
        build(
            ctx,
            {
                "event_id": f"pagerduty:{get(ctx, event, 'id', str, at='$.event')}",
                "event_type": "incident",
                "source_ref": incident_id,
                "source_url": data.get("html_url"),
                "occurred_at": when,
                "service_name": service,
                "incident_id": f"pagerduty:{incident_id}",
                "attributes": _pd_attributes(kind, data),
                "payload": payload,
            },
        )
    ]


def _pd_attributes(kind: str, data: dict[str, Any]) -> dict[str, str]:
    priority = opt(data, "priority.summary")
    return {"pagerduty_event_type": kind, **({"priority": str(priority)} if priority else {})}


def _pd_status(ctx: Context, data: dict[str, Any]) -> str:
    status: str = get(ctx, data, "status", str, at="$.event.data")
    if status not in _PD_STAMP:
        raise ctx.fail("$.event.data.status", f"unknown incident status {status!r}")
    return status


def _pd_severity(data: dict[str, Any]) -> int:
    priority = opt(data, "priority.summary", "")
    if isinstance(priority, str) and priority[:1] in "Pp" and priority[1:].isdigit():
        return min(5, max(1, int(priority[1:])))
    return _URGENCY_SEVERITY.get(str(data.get("urgency")), 3)


def opsgenie(body: Any, ctx: Context) -> list[Event]:
    action = get(ctx, body, "action", str)
    status = _OG_STATUS.get(action.lower())
    if status is None:
        raise ctx.reject(f"alert action {action!r} does not change the incident's state", "$.action")
    alert = get(ctx, body, "alert", dict)
    alert_id = get(ctx, alert, "alertId", str, at="$.alert")
    stamp = alert.get("updatedAt") if status != "triggered" else alert.get("createdAt")
    when = parse_time(ctx, stamp or get(ctx, alert, "createdAt", at="$.alert"), "$.alert.updatedAt")
    name = alert.get("entity") or None
    service = ctx.catalog.for_paging(None, name) if name else None
    priority = alert.get("priority")
    payload: dict[str, Any] = {
        "title": get(ctx, alert, "message", str, at="$.alert"),
        "status": status,
        "severity": int(priority) if isinstance(priority, int) and 1 <= priority <= 5 else 3,
        _PD_STAMP[status]: when,
        "affected_services": [{"name": service, "criticality": ctx.catalog.criticality(service)}]
        if service
        else [],
    }
    if status != "triggered" and alert.get("createdAt"):
        payload["detected_at"] = parse_time(ctx, alert["createdAt"], "$.alert.createdAt")
    details = alert.get("details")
    causes = causes_from_fields(details) if isinstance(details, dict) else []
    if causes:
        payload["causes"] = causes
    return [
        build(
            ctx,
            {
                "event_id": f"opsgenie:{alert_id}:{action.lower()}:{stamp}",
                "event_type": "incident",
                "source_ref": alert_id,
                "occurred_at": when,
                "service_name": service,
                "incident_id": f"opsgenie:{alert_id}",
                "attributes": {"tiny_id": str(alert.get("tinyId", "")), "alias": str(alert.get("alias", ""))},
                "payload": payload,
            },
        )
    ]
