"""The simulated organisation: teams, people, agents, services and their dependency graph."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from simulator.effects import Effects

REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")
CELLS_PER_REGION = 3
AGENTS = ("claude-code", "copilot-agent", "ops-autopilot")
MODELS = {"claude-code": "claude-sonnet-4-5", "copilot-agent": "gpt-4.1", "ops-autopilot": None}
_WORDS = (
    "payments", "checkout", "ledger", "search", "catalog", "auth", "identity", "billing",
    "orders", "inventory", "shipping", "notify", "profile", "pricing", "fraud", "gateway",
    "media", "reviews", "cart", "tax", "reports", "export", "scheduler", "audit",
)
_SUFFIXES = ("api", "worker", "svc", "store", "edge", "jobs")


@dataclass(frozen=True)
class Team:
    name: str
    ai_offset: float
    people: tuple[str, ...]


@dataclass
class Service:
    name: str
    team: Team
    criticality: int
    strategy: str
    volume: float
    depends_on: list[str] = field(default_factory=list)
    dependents: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Org:
    teams: tuple[Team, ...]
    services: tuple[Service, ...]
    by_name: dict[str, Service]
    cells: dict[str, tuple[str, ...]]


def build_org(rng: random.Random, effects: Effects) -> Org:
    """Teams with people, services with criticality, a rollout strategy and a dependency DAG."""
    teams = tuple(_team(rng, i, effects.ai_team_spread) for i in range(effects.teams))
    strategies = list(effects.rollout)
    weights = [r.share for r in effects.rollout.values()]
    services = tuple(
        Service(name=_service_name(i), team=teams[i % len(teams)],
                criticality=rng.choices((1, 2, 3, 4), (0.2, 0.35, 0.3, 0.15))[0],
                strategy=rng.choices(strategies, weights)[0], volume=rng.paretovariate(1.5))
        for i in range(effects.services)
    )
    _wire(rng, services)
    cells = {r: tuple(f"{r}-cell-{c}" for c in range(1, CELLS_PER_REGION + 1)) for r in REGIONS}
    return Org(teams=teams, services=services, by_name={s.name: s for s in services}, cells=cells)


def _team(rng: random.Random, i: int, spread: float) -> Team:
    name = f"team-{_WORDS[(i * 7) % len(_WORDS)]}"
    people = tuple(f"{name[5:]}-dev{j}" for j in range(1, rng.randint(5, 12) + 1))
    return Team(name=name, ai_offset=rng.uniform(-spread, spread), people=people)


def _service_name(i: int) -> str:
    word = _WORDS[i % len(_WORDS)]
    suffix = _SUFFIXES[(i // len(_WORDS)) % len(_SUFFIXES)]
    rnd = i // (len(_WORDS) * len(_SUFFIXES))
    return f"{word}-{suffix}" + (f"-{rnd}" if rnd else "")


def _wire(rng: random.Random, services: tuple[Service, ...]) -> None:
    """Each service depends on up to three services created before it (a DAG)."""
    for i, svc in enumerate(services[1:], start=1):
        for dep in rng.sample(services[:i], k=min(i, rng.randint(0, 3))):
            svc.depends_on.append(dep.name)
            dep.dependents.append(svc.name)
