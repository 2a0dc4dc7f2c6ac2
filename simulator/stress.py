"""Stress histories: an organisation simulated under assumptions other than ``simulate``'s, written
as the real tools' deliveries (GitHub, PagerDuty, Claude Code hooks; :mod:`simulator.realtools`)
with the true cause of every incident.

What differs from the default simulator, per :class:`Variant`:

- deployments ship the head of ``main`` (one sha); the pull requests merged since the previous
  deployment of the service ride along, squash-merged or merge-committed (no change ids are
  listed, as on GitHub);
- deployments fail for reasons that are not the code (flaky infrastructure) and are retried;
- agents edit files of a service shortly before incidents they did not cause;
- incidents may surface hours after the deployment that caused them;
- deployment statuses may never arrive; the paging tool's and the hooks' clocks may be skewed.

Everything is driven by one ``random.Random(seed)``: the same variant and seed give the same
deliveries and truth."""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass, field, replace
from typing import Any

from simulator import realtools as rt
from simulator.realtools import Commit, Deployment, Page, PullRequest

DAY = 86_400.0
MIN = 60.0
EPOCH = 1_767_571_200  # 2026-01-05T00:00:00Z, a Monday

SERVICES: dict[str, tuple[str, ...]] = {
    "payments-api": ("billing", "refunds", "webhooks"),
    "ledger": ("journal", "balances", "export"),
    "checkout": ("cart", "pricing", "session"),
    "search": ("indexer", "ranking", "query"),
    "identity": ("login", "tokens", "mfa"),
    "notifications": ("email", "push", "templates"),
    "inventory": ("stock", "reservations", "sync"),
    "gateway": ("routing", "ratelimit", "tls"),
    "reports": ("scheduler", "render", "storage"),
    "shipping": ("labels", "carriers", "tracking"),
}
# (path template, risk multiplier): {c} is the component, {w} a word
PATHS: tuple[tuple[str, float], ...] = (
    ("src/{c}/{w}.py", 1.0), ("src/{c}/{w}_handler.go", 1.0), ("tests/{c}/test_{w}.py", 0.3),
    ("docs/{c}/{w}.md", 0.1), ("config/{c}/{w}.toml", 1.8), ("deploy/helm/values-{c}.yaml", 3.0),
    ("migrations/{n:04d}_{c}_{w}.sql", 2.5), ("iam/policies/{c}-{w}.json", 3.5),
)
_PATH_WEIGHTS = (0.40, 0.12, 0.14, 0.08, 0.10, 0.07, 0.05, 0.04)
_WORDS = ("retry", "limits", "cache", "timeout", "schema", "batch", "client", "worker", "quota", "index")
_PEOPLE = ("alice", "bob", "chen", "dana", "eve", "farid", "gita", "hugo", "ines", "jon", "kai", "lena")


@dataclass(frozen=True)
class Variant:
    """The assumptions one stress history is generated under."""

    name: str
    days: int = 28
    services: int = 8
    prs_per_day: float = 30.0  # merged pull requests per weekday, whole organisation
    batch: tuple[float, ...] = (0.7, 0.2, 0.1)  # P(1, 2, 3... pull requests per deployment)
    p_squash: float = 0.5
    base_bad: float = 0.05  # P(a plain pull request is bad), before path and size multipliers
    p_caught: float = 0.25  # a bad deployment fails during rollout
    p_incident_caught: float = 0.5
    p_incident_escaped: float = 0.85
    incident_delay_minutes: float = 25.0  # median from deployment finish to impact
    incident_delay_sigma: float = 0.7
    p_flaky: float = 0.05  # a deployment fails for reasons other than its code and is retried
    p_missing_status: float = 0.0  # each deployment status is never delivered
    sessions_per_day: float = 10.0  # agent sessions, whole organisation
    p_config_edit: float = 0.15  # a session edits the service's deploy config
    p_agent_incident: float = 0.08  # such an edit causes an incident
    p_innocent_agent: float = 0.1  # an incident gets an unrelated agent session shortly before it
    pager_skew_minutes: float = 0.0  # the paging tool's clock is off by up to this much
    hook_skew_minutes: float = 0.0
    p_title_component: float = 0.6  # the page's title names the failing component
    unrecorded_per_day: float = 0.3  # incidents with no recorded cause


VARIANTS: tuple[Variant, ...] = (
    Variant("plain"),
    Variant("failed_then_good", p_flaky=0.35, p_caught=0.45),
    Variant("innocent_agents", p_innocent_agent=0.9, sessions_per_day=25.0),
    Variant("multi_change", batch=(0.15, 0.3, 0.3, 0.15, 0.1), p_squash=0.4),
    Variant("delayed", incident_delay_minutes=300.0, incident_delay_sigma=0.6, batch=(0.8, 0.2)),
    Variant("missing_status", p_missing_status=0.6, p_flaky=0.15),
    Variant("clock_skew", pager_skew_minutes=12.0, hook_skew_minutes=6.0),
    Variant("everything", p_flaky=0.25, p_innocent_agent=0.6, batch=(0.3, 0.3, 0.2, 0.2),
            incident_delay_minutes=90.0, p_missing_status=0.3, pager_skew_minutes=8.0,
            hook_skew_minutes=4.0, sessions_per_day=18.0),
)


def variant(name: str) -> Variant:
    for v in VARIANTS:
        if v.name == name:
            return v
    raise KeyError(f"no stress variant {name!r}; known: {', '.join(v.name for v in VARIANTS)}")


@dataclass
class _Pr:
    pr: PullRequest
    component: str
    bad: bool


@dataclass
class History:
    """Deliveries (in time order) and the true cause of every incident."""

    deliveries: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
    truth: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, at: float, delivery: dict[str, Any]) -> None:
        self.deliveries.append((at, delivery))

    def ordered(self) -> list[dict[str, Any]]:
        return [d for _, d in sorted(self.deliveries, key=lambda item: item[0])]


class _World:
    def __init__(self, v: Variant, seed: int) -> None:
        self.v, self.seed = v, seed
        self.rng = random.Random(f"{v.name}:{seed}")  # noqa: S311 (a reproducible simulation)
        self.services = list(SERVICES)[: v.services]
        self.volume = {s: self.rng.paretovariate(1.5) for s in self.services}
        self.heads = {s: self.sha("root", s) for s in self.services}
        self.history = History()
        self.counter = 0
        self.pager_skew = self.rng.uniform(-v.pager_skew_minutes, v.pager_skew_minutes) * MIN
        self.hook_skew = self.rng.uniform(-v.hook_skew_minutes, v.hook_skew_minutes) * MIN

    def next(self) -> int:
        self.counter += 1
        return self.counter

    def sha(self, *parts: object) -> str:
        return hashlib.sha1(f"{self.v.name}:{self.seed}:{parts}".encode()).hexdigest()  # noqa: S324 (an id)

    def lognormal(self, median: float, sigma: float) -> float:
        return median * math.exp(self.rng.gauss(0.0, sigma))


def generate(v: Variant, seed: int) -> History:
    """The deliveries and truth of ``v.days`` days of the organisation under ``v``."""
    w = _World(v, seed)
    for day in range(v.days):
        factor = 0.3 if day % 7 >= 5 else 1.0
        start = EPOCH + day * DAY
        _changes_and_deploys(w, start, factor)
        for _ in range(_poisson(w.rng, v.sessions_per_day * factor)):
            _session(w, w.rng.choice(w.services), start + w.rng.uniform(7, 20) * 3600, causes=True)
        for _ in range(_poisson(w.rng, v.unrecorded_per_day)):
            svc = w.rng.choice(w.services)
            _incident(w, svc, start + w.rng.uniform(0, DAY), w.rng.choice(SERVICES[svc]),
                      {"cause_kind": "unrecorded"})
    return w.history


def _changes_and_deploys(w: _World, start: float, factor: float) -> None:
    total = sum(w.volume.values())
    for svc in w.services:
        n = _poisson(w.rng, w.v.prs_per_day * factor * w.volume[svc] / total)
        times = sorted(start + min(max(w.rng.gauss(14 * 3600, 2.5 * 3600), 6 * 3600), 22 * 3600)
                       for _ in range(n))
        prs = [_merge(w, svc, t) for t in times]
        i = 0
        while i < len(prs):
            size = 1 + _draw(w.rng, w.v.batch)
            batch = prs[i:i + size]
            i += len(batch)
            _deploy(w, svc, batch, batch[-1].pr.merged_at + w.lognormal(30 * MIN, 0.6))


def _merge(w: _World, svc: str, merged_at: float) -> _Pr:
    rng = w.rng
    number = w.next()
    component = rng.choice(SERVICES[svc])
    k = 1 + min(int(rng.paretovariate(1.6)) - 1, 6)
    picks = [rng.choices(PATHS, weights=_PATH_WEIGHTS)[0] for _ in range(k)]
    paths = sorted({t.format(c=component, w=rng.choice(_WORDS), n=rng.randint(1, 9999)) for t, _ in picks})
    lines = [int(math.exp(rng.gauss(3.0, 1.2))) for _ in paths]
    size = sum(lines)
    risk = max(m for _, m in picks) * (0.7 if size < 20 else 1.0 if size < 200 else 1.6)
    bad = rng.random() < min(w.v.base_bad * risk, 0.6)
    author = rng.choice(_PEOPLE)
    title = f"{rng.choice(('Tune', 'Fix', 'Add', 'Refactor', 'Bump'))} {component} {rng.choice(_WORDS)}"
    head_sha, merge_sha = w.sha("head", svc, number), w.sha("merge", svc, number)
    opened = merged_at - w.lognormal(6 * 3600, 1.0)
    pr = PullRequest(svc, number, title, author, f"{author}/{component}-{number}", head_sha, merge_sha,
                     opened, merged_at, size, size // 3, len(paths))
    w.history.add(merged_at, rt.pull_request_merged(pr))
    before = w.heads[svc]
    if rng.random() < w.v.p_squash:
        commits = [Commit(merge_sha, f"{title} (#{number})", merged_at, author, modified=paths)]
    else:
        commits = [Commit(head_sha, title, opened + 600, author, modified=paths),
                   Commit(merge_sha, f"Merge pull request #{number} from {rt.ORG}/{pr.head_ref}\n\n{title}",
                          merged_at, "merge-queue[bot]")]
    w.history.add(merged_at + 1, rt.push(svc, before, commits, author))
    w.heads[svc] = merge_sha
    w.history.counts["changes"] = w.history.counts.get("changes", 0) + 1
    return _Pr(pr, component, bad)


def _deploy(w: _World, svc: str, batch: list[_Pr], at: float) -> None:
    rng, v = w.rng, w.v
    if rng.random() < v.p_flaky:  # fails for reasons other than the code, retried
        _deployment(w, svc, batch[-1].pr.merge_sha, at, "failure")
        at += w.lognormal(30 * MIN, 0.5)
    bad = [p for p in batch if p.bad]
    if bad and rng.random() < v.p_caught:
        dep = _deployment(w, svc, batch[-1].pr.merge_sha, at, "failure")
        if rng.random() < v.p_incident_caught:
            _caused(w, svc, dep, batch, bad[0], at + w.lognormal(8 * MIN, 0.4))
        for p in bad:
            p.bad = False  # fixed before the next deployment
        return
    dep = _deployment(w, svc, batch[-1].pr.merge_sha, at, "success")
    if bad and rng.random() < v.p_incident_escaped:
        delay = w.lognormal(v.incident_delay_minutes * MIN, v.incident_delay_sigma)
        _caused(w, svc, dep, batch, bad[0], at + 10 * MIN + delay)
    for p in bad:
        p.bad = False


def _deployment(w: _World, svc: str, sha: str, at: float, state: str) -> Deployment:
    dep = Deployment(svc, 10_000 + w.next(), sha, at)
    w.history.add(at, rt.deployment_created(dep))
    w.history.counts["deployments"] = w.history.counts.get("deployments", 0) + 1
    for kind, when in (("in_progress", at + 20), (state, at + w.lognormal(8 * MIN, 0.3))):
        if w.rng.random() >= w.v.p_missing_status:
            w.history.add(when, rt.deployment_status(dep, 20_000_000 + w.next(), kind, when))
    return dep


def _caused(w: _World, svc: str, dep: Deployment, batch: list[_Pr], bad: _Pr, impact: float) -> None:
    ids = [f"{rt.ORG}/{svc}#{bad.pr.number}", f"{rt.ORG}/{svc}@{bad.pr.merge_sha}"]
    _incident(w, svc, impact, bad.component, {
        "cause_kind": "deployment", "deployment_id": f"github:{dep.id}", "change_ids": ids,
        "batch_size": len(batch), "head": bad is batch[-1]})


def _session(w: _World, svc: str, at: float, causes: bool) -> float:
    """An agent session of a few tool calls in the service's checkout; returns when it ended."""
    rng, v = w.rng, w.v
    session = w.sha("session", svc, w.next())[:32]
    cwd = f"/home/dev/{svc}"
    component = rng.choice(SERVICES[svc])
    calls = [("Read", {"file_path": f"{cwd}/src/{component}/{rng.choice(_WORDS)}.py"}),
             ("Bash", {"command": "git status"}),
             ("Edit", {"file_path": f"{cwd}/src/{component}/{rng.choice(_WORDS)}.py",
                       "old_string": "a", "new_string": "b"}),
             ("Bash", {"command": "pytest -q"})]
    if rng.random() < 0.5:
        calls.append(("Edit", {"file_path": f"{cwd}/tests/{component}/test_{rng.choice(_WORDS)}.py",
                               "old_string": "a", "new_string": "b"}))
    config = causes and rng.random() < v.p_config_edit
    if config:
        calls.append(("Write", {"file_path": f"{cwd}/deploy/helm/values-{component}.yaml",
                                "content": "replicas: 1"}))
    t = at
    for tool, tool_input in calls:
        call_id = f"toolu_{w.sha('call', w.next())[:24]}"
        for hook in ("PreToolUse", "PostToolUse"):
            w.history.add(t, rt.claude_code_hook(hook, session, cwd, tool, tool_input, call_id,
                                                 t + w.hook_skew))
            t += rng.uniform(2, 20)
        t += rng.uniform(30, 180)
        if config and tool == "Write" and rng.random() < v.p_agent_incident:
            _incident(w, svc, t + w.lognormal(15 * MIN, 0.5), component,
                      {"cause_kind": "agent_action", "agent_ref": call_id})
    return t


def _incident(w: _World, svc: str, impact: float, component: str, truth: dict[str, Any]) -> None:
    rng, v = w.rng, w.v
    number = w.next()
    pid = "Q" + w.sha("incident", number)[:13].upper()
    title = (f"{svc}: elevated errors in {component}" if rng.random() < v.p_title_component
             else f"{svc}: elevated 5xx rate")
    page = Page(pid, number, svc, title, priority=rng.choice(("P1", "P2", "P3")))
    detected = impact + w.lognormal(5 * MIN, 0.5)
    if truth["cause_kind"] != "agent_action" and rng.random() < v.p_innocent_agent:
        _session(w, svc, detected - rng.uniform(10, 70) * MIN, causes=False)
    acked = detected + w.lognormal(4 * MIN, 0.5)
    resolved = acked + w.lognormal(90 * MIN, 0.6)
    for kind, when in (("triggered", detected), ("acknowledged", acked), ("resolved", resolved)):
        event_id = w.sha("pd", number, kind)[:26].upper()
        w.history.add(when, rt.pagerduty(page, kind, event_id, when + w.pager_skew))
    w.history.truth.append({"incident_id": f"pagerduty:{pid}", "service": svc,
                            "detected_at": rt.stamp(detected), **truth})
    w.history.counts["incidents"] = w.history.counts.get("incidents", 0) + 1


def _draw(rng: random.Random, weights: tuple[float, ...]) -> int:
    return rng.choices(range(len(weights)), weights=weights)[0]


def _poisson(rng: random.Random, lam: float) -> int:
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def scaled(v: Variant, days: int) -> Variant:
    return replace(v, days=days)
