"""Deployments: canary, staged and all-at-once rollouts across regions and cells, and what a bad
change does once it ships (caught and rolled back, an incident, a revert, a rollback)."""

from __future__ import annotations

from typing import Any

from simulator.changes import SimChange, new_revert
from simulator.context import Ctx
from simulator.incidents import Impact, open_incident
from simulator.org import REGIONS, Service

_MIN = 60.0


def deploy(ctx: Ctx, svc: Service, changes: list[SimChange], t: float) -> None:
    """Ship ``changes`` (maybe none) to production on ``svc`` and play out the consequences."""
    dep_id = f"deploy-{ctx.next('deploy'):07d}"
    regions = _region_order(ctx)
    bad = [c for c in changes if c.bad]
    rollout = ctx.effects.rollout[svc.strategy]
    caught = bool(bad) and ctx.rng.random() < rollout.p_caught
    end = _emit_rollout(ctx, svc, dep_id, changes, t, regions, caught)
    if bad:
        _consequences(ctx, svc, dep_id, bad[0], end, regions, caught)
    elif not changes and ctx.rng.random() < ctx.effects.p_empty_deploy_incident:
        impact = Impact(svc, end + ctx.lognormal(30 * _MIN, 1.0, 6 * 3600.0), regions[:1],
                        list(ctx.org.cells[regions[0]]), rollout.mitigation_minutes, "deployment",
                        dep_id, _annotation(ctx, "deployment", dep_id))
        open_incident(ctx, impact)


def _region_order(ctx: Ctx) -> list[str]:
    first = ctx.rng.randrange(len(REGIONS))
    return list(REGIONS[first:] + REGIONS[:first])


def _stages(svc: Service, ctx: Ctx, regions: list[str], caught: bool) -> list[tuple[str, list[str], str]]:
    """(stage, cells reached, status) of each event of the rollout."""
    cells = ctx.org.cells
    every = [c for r in regions for c in cells[r]]
    if svc.strategy == "canary":
        canary = [cells[regions[0]][0]]
        if caught:
            return [("canary", canary, "in_progress"), ("canary", canary, "rolled_back")]
        return [("canary", canary, "in_progress"), ("full", every, "succeeded")]
    if svc.strategy == "staged":
        waves = [list(cells[r]) for r in regions]
        if caught:
            return [("wave-1", waves[0], "in_progress"), ("wave-1", waves[0], "rolled_back")]
        reached: list[str] = []
        out = []
        for i, wave in enumerate(waves, start=1):
            reached = reached + wave
            out.append((f"wave-{i}", reached, "succeeded" if i == len(waves) else "in_progress"))
        return out
    return [("all", every, "failed" if caught else "succeeded")]


def _emit_rollout(ctx: Ctx, svc: Service, dep_id: str, changes: list[SimChange], t: float,
                  regions: list[str], caught: bool) -> float:
    number = ctx.counters["deploy"]
    shas = [c.sha for c in changes]
    payload: dict[str, Any] = {
        "artifact": f"registry.example.com/{svc.name}:1.{number}.0", "commit_shas": shas,
        "change_ids": [c.change_id for c in changes], "strategy": svc.strategy,
        "started_at": ctx.iso(t), "initiator": "deploy-bot",
    }
    if shas:
        payload["vcs_ref_head_revision"] = shas[-1]
    if changes and ctx.rng.random() < ctx.effects.p_missing_change_ids:
        payload["change_ids"] = []
    envelope = {"source": "argocd", "source_ref": f"{svc.name}-{number}", "service_name": svc.name,
                "deployment_environment_name": "production", "deployment_id": dep_id,
                "cloud_region": regions[0], "attributes": {"team": svc.team.name}}
    now = t
    for stage, cells, status in _stages(svc, ctx, regions, caught):
        now += ctx.lognormal(8 * _MIN, 0.5, 3600.0)
        reached = sorted({c.rsplit("-cell-", 1)[0] for c in cells})
        event = payload | {"stage": stage, "status": status, "regions": reached, "cells": cells}
        if status != "in_progress":
            event["finished_at"] = ctx.iso(now)
        ctx.emit("deployment", now, envelope, event)
    return now


def _consequences(ctx: Ctx, svc: Service, dep_id: str, change: SimChange, end: float,
                  regions: list[str], caught: bool) -> None:
    rng, eff = ctx.rng, ctx.effects
    rollout = eff.rollout[svc.strategy]
    if caught:
        reach = regions[:1] if svc.strategy != "all_at_once" else regions
        cells = [ctx.org.cells[regions[0]][0]] if svc.strategy == "canary" else \
            [c for r in reach for c in ctx.org.cells[r]]
        if rng.random() < rollout.p_incident_caught:
            _incident(ctx, svc, dep_id, change, end - 5 * _MIN, reach, cells, rollout.mitigation_minutes / 3)
        if rng.random() < eff.p_revert_after_rollback:
            revert_and_ship(ctx, change, end + ctx.lognormal(3 * 3600.0, 1.0, 2 * 86_400.0))
        return
    if rng.random() >= rollout.p_incident_escaped:
        return
    count = max(1, round(len(regions) * rollout.region_share))
    reach = regions[:count]
    cells = [c for r in reach for c in ctx.org.cells[r]]
    started = end + ctx.lognormal(45 * _MIN, 1.2, 12 * 3600.0)
    times = _incident(ctx, svc, dep_id, change, started, reach, cells, rollout.mitigation_minutes)
    if rng.random() < eff.p_rollback_after_incident:
        _rollback(ctx, svc, dep_id, times + 2 * _MIN, regions)
    elif rng.random() < eff.p_revert_after_incident:
        revert_and_ship(ctx, change, times + ctx.lognormal(20 * _MIN, 0.8, 6 * 3600.0))


def _incident(ctx: Ctx, svc: Service, dep_id: str, change: SimChange, started: float,
              regions: list[str], cells: list[str], mitigation: float) -> float:
    """Open the incident a bad change caused; returns when it was acknowledged."""
    impact = Impact(svc, started, regions, cells, mitigation, "change", change.change_id,
                    _annotation(ctx, "deployment", dep_id))
    return open_incident(ctx, impact).acknowledged


def _annotation(ctx: Ctx, kind: str, ref: str) -> dict[str, str] | None:
    if ctx.rng.random() >= ctx.effects.p_explicit_cause:
        return None
    return {"kind": kind, "ref": ref, "status": "confirmed"}


def revert_and_ship(ctx: Ctx, change: SimChange, t: float) -> None:
    revert = new_revert(ctx, change, t)
    deploy(ctx, change.service, [revert], t + ctx.lognormal(15 * _MIN, 0.6, 3600.0))


def _rollback(ctx: Ctx, svc: Service, dep_id: str, t: float, regions: list[str]) -> None:
    """A change-less deployment that restores the previous artifact everywhere."""
    number = ctx.next("deploy")
    cells = [c for r in regions for c in ctx.org.cells[r]]
    envelope = {"source": "argocd", "source_ref": f"{svc.name}-{number}", "service_name": svc.name,
                "deployment_environment_name": "production",
                "deployment_id": f"deploy-{number:07d}", "cloud_region": regions[0],
                "attributes": {"team": svc.team.name}}
    payload = {"strategy": "all_at_once", "stage": "all", "status": "succeeded", "rollback_of": dep_id,
               "regions": sorted(regions), "cells": cells, "started_at": ctx.iso(t),
               "finished_at": ctx.iso(t + 4 * _MIN), "initiator": "oncall"}
    ctx.emit("deployment", t + 4 * _MIN, envelope, payload)
