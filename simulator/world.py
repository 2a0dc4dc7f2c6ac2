"""One simulation run, day by day: changes merged and deployed, agent sessions, incidents with no
recorded cause; events come out in emission order as JSON-ready dicts."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import date
from typing import Any

from simulator.agents import agent_day
from simulator.changes import SimChange, new_change
from simulator.context import DAY, HORIZON_DAYS, Ctx, epoch_of
from simulator.deploys import deploy
from simulator.effects import Effects
from simulator.incidents import Impact, open_incident
from simulator.org import REGIONS, build_org

_MIN = 60.0


def new_context(effects: Effects, seed: int, days: int) -> Ctx:
    rng = random.Random(seed)  # noqa: S311 (a reproducible simulation, not secrets)
    return Ctx(rng=rng, effects=effects, org=build_org(rng, effects), seed=seed,
               epoch=epoch_of(effects.start), days=days)


def simulate(ctx: Ctx) -> Iterator[dict[str, Any]]:
    """Every event of ``ctx.days`` days, in emission order; ``ctx.truth`` is complete at the end."""
    weekday0 = date.fromisoformat(ctx.effects.start).weekday()
    for day in range(ctx.days):
        factor = 0.3 if (weekday0 + day) % 7 >= 5 else 1.0
        _day(ctx, day, factor)
        yield from ctx.release(day - HORIZON_DAYS)
    yield from ctx.release(10**9)


def _day(ctx: Ctx, day: int, factor: float) -> None:
    start = day * DAY
    eff, rng = ctx.effects, ctx.rng
    weights = [s.volume for s in ctx.org.services]
    by_service: dict[str, list[SimChange]] = {}
    for _ in range(_poisson(rng, eff.changes_per_day * factor)):
        svc = ctx.pick("service", ctx.org.services, weights)
        merged = start + min(max(rng.gauss(14 * 3600.0, 3 * 3600.0), 0.0), DAY - 1)
        by_service.setdefault(svc.name, []).append(new_change(ctx, svc, merged, day))
    for name in sorted(by_service):
        _ship(ctx, ctx.org.by_name[name], sorted(by_service[name], key=lambda c: c.merged_at))
    for _ in range(_poisson(rng, eff.changes_per_day * factor * eff.p_empty_deploy)):
        deploy(ctx, rng.choice(ctx.org.services), [], start + rng.uniform(0, DAY))
    agent_day(ctx, start, _poisson(rng, eff.agent_actions_per_day * factor))
    for _ in range(_poisson(rng, eff.unrecorded_incidents_per_day)):
        _unrecorded(ctx, start + rng.uniform(0, DAY))


def _ship(ctx: Ctx, svc: Any, changes: list[SimChange]) -> None:
    sizes, weights = list(ctx.effects.batch_sizes), list(ctx.effects.batch_sizes.values())
    i = 0
    while i < len(changes):
        batch = changes[i:i + ctx.pick("batch", sizes, weights)]
        i += len(batch)
        deploy(ctx, svc, batch, batch[-1].merged_at + ctx.lognormal(40 * _MIN, 1.0, 2 * DAY))


def _unrecorded(ctx: Ctx, t: float) -> None:
    svc = ctx.rng.choice(ctx.org.services)
    region = ctx.rng.choice(REGIONS)
    open_incident(ctx, Impact(svc, t, [region], list(ctx.org.cells[region]), 50.0, "unrecorded", None))


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 40:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k
