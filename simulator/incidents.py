"""Incidents: lifecycle events (triggered, acknowledged, mitigated, resolved) with blast radius."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simulator.context import Ctx
from simulator.org import Service

_MIN = 60.0
SLO_BUDGET_MINUTES = 43.2
"""Error budget of a 99.9 % availability objective over 30 days, in full-outage minutes."""


@dataclass(frozen=True)
class Impact:
    """Where and when an incident starts, and what caused it (for the truth file)."""

    service: Service
    started: float
    regions: list[str]
    cells: list[str]
    mitigation_median: float
    cause_kind: str
    cause_id: str | None
    annotation: dict[str, str] | None = None


@dataclass(frozen=True)
class Timeline:
    detected: float
    acknowledged: float
    mitigated: float
    resolved: float


def open_incident(ctx: Ctx, impact: Impact) -> Timeline:
    """Emit the lifecycle of one incident and record its true cause; returns its timeline."""
    number = ctx.next("incident")
    incident_id = f"inc-{number:06d}"
    ctx.truth.incidents.append({"incident_id": incident_id, "cause_kind": impact.cause_kind,
                                "cause_id": impact.cause_id})
    times = _timeline(ctx, impact)
    base = _blast(ctx, impact, times)
    envelope = {"source": "pagerduty", "source_ref": _pd_id(ctx), "incident_id": incident_id,
                "service_name": impact.service.name, "deployment_environment_name": "production",
                "cloud_region": impact.regions[0], "attributes": {"team": impact.service.team.name}}
    for status, at in (("triggered", times.detected), ("acknowledged", times.acknowledged),
                       ("mitigated", times.mitigated), ("resolved", times.resolved)):
        if status != "triggered" and ctx.rng.random() < ctx.effects.p_drop_lifecycle:
            continue
        ctx.emit("incident", at, envelope, _payload(ctx, base, status, times, impact))
    return times


def _timeline(ctx: Ctx, impact: Impact) -> Timeline:
    detected = impact.started + ctx.lognormal(6 * _MIN, 0.8, 6 * 3600.0)
    acknowledged = detected + ctx.lognormal(4 * _MIN, 0.7, 3 * 3600.0)
    mitigated = acknowledged + ctx.lognormal(impact.mitigation_median * _MIN, 0.9, 24 * 3600.0)
    resolved = mitigated + ctx.lognormal(120 * _MIN, 0.8, 24 * 3600.0)
    return Timeline(detected, acknowledged, mitigated, resolved)


def _affected(ctx: Ctx, svc: Service) -> list[dict[str, Any]]:
    hit = [{"name": svc.name, "criticality": svc.criticality, "dependency_depth": 0}]
    frontier, seen = [svc], {svc.name}
    for depth in (1, 2):
        nxt = []
        for s in frontier:
            for name in s.dependents:
                if name not in seen and ctx.rng.random() < ctx.effects.p_dependents_hit / depth:
                    seen.add(name)
                    dep = ctx.org.by_name[name]
                    hit.append({"name": name, "criticality": dep.criticality, "dependency_depth": depth})
                    nxt.append(dep)
        frontier = nxt
    return hit


def _blast(ctx: Ctx, impact: Impact, times: Timeline) -> dict[str, Any]:
    affected = _affected(ctx, impact.service)
    share = len(impact.cells) / sum(len(c) for c in ctx.org.cells.values())
    minutes = (times.mitigated - impact.started) / _MIN
    weight = 5 - min(a["criticality"] for a in affected)
    users = int(ctx.lognormal(2000.0 * weight * share, 1.0, 5e7))
    severity = impact.service.criticality + (0 if share > 0.3 else 1) - (1 if len(affected) > 2 else 0)
    return {
        "title": f"{impact.service.name} errors in {impact.regions[0]}",
        "severity": min(max(severity, 1), 5),
        "affected_services": affected, "regions": impact.regions, "cells": impact.cells,
        "users": users, "tenants": max(1, users // 900),
        "failed_requests": int(users * ctx.lognormal(15.0, 0.6, 1e4)),
        "burn": round(minutes * share / SLO_BUDGET_MINUTES, 4),
    }


def _payload(ctx: Ctx, base: dict[str, Any], status: str, t: Timeline, impact: Impact) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "title": base["title"], "status": status, "severity": base["severity"], "urgency": "high",
        "impact_started_at": ctx.iso(impact.started), "detected_at": ctx.iso(t.detected),
        "affected_services": base["affected_services"], "regions": base["regions"],
        "cells": base["cells"],
    }
    if status != "triggered":
        payload["acknowledged_at"] = ctx.iso(t.acknowledged)
    if status in ("mitigated", "resolved"):
        payload |= {"mitigated_at": ctx.iso(t.mitigated), "users_affected": base["users"],
                    "tenants_affected": base["tenants"], "failed_requests": base["failed_requests"],
                    "error_budget_burn": base["burn"]}
    if status == "resolved":
        payload["resolved_at"] = ctx.iso(t.resolved)
        if impact.annotation is not None:
            payload["causes"] = [impact.annotation]
    return payload


def _pd_id(ctx: Ctx) -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "Q" + "".join(ctx.rng.choice(alphabet) for _ in range(13))
