"""Changes: path mix, heavy-tailed sizes and lead times, AI attribution, the planted P(bad)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simulator.context import DAY, Ctx
from simulator.gates import gate_change
from simulator.org import AGENTS, MODELS, Service
from simulator.paths import sample_files
from simulator.signals import dependents, signals

_EVIDENCE = {
    "suggested": "ide-completion-accepted",
    "co_authored": "Co-authored-by: Claude <noreply@anthropic.com>",
    "agent_authored": "author is an agent",
}


@dataclass
class SimChange:
    change_id: str
    service: Service
    sha: str
    merged_at: float
    bad: bool
    files: list[dict[str, Any]]


def new_change(ctx: Ctx, svc: Service, merged_at: float, day: int) -> SimChange:
    """Draw one merged pull request on ``svc`` and emit its change event."""
    rng, eff = ctx.rng, ctx.effects
    cats, mix = list(eff.path_mix), list(eff.path_mix.values())
    files = sample_files(rng, ctx.pick("path", cats, mix), svc.name, cats, mix)
    level = _ai_level(ctx, svc, day)
    lines = sum(f["lines_added"] + f["lines_deleted"] for f in files)
    bad = rng.random() < p_bad(ctx, {f["category"] for f in files}, level, lines)
    change = _record(ctx, svc, merged_at, bad, files)
    author, author_kind = _author(ctx, svc, level)
    payload = _payload(ctx, change, level, author, author_kind)
    _emit_change(ctx, change, payload)
    return change


def p_bad(ctx: Ctx, categories: set[str], level: str, lines: int) -> float:
    """base x max category multiplier x AI multiplier x size multiplier, capped."""
    eff = ctx.effects
    cat = max(eff.category_multiplier.get(c, 1.0) for c in categories)
    ai = 1.0 if level == "none" else eff.ai_relative_risk[level]
    size = 1.0
    for threshold, mult in eff.size_multiplier:
        if lines >= threshold:
            size = mult
    return min(eff.base_rate * cat * ai * size, eff.cap)


def new_revert(ctx: Ctx, target: SimChange, t: float) -> SimChange:
    """A revert of ``target``: the same paths with added and deleted lines swapped."""
    files = [{"path": f["path"], "lines_added": f["lines_deleted"], "lines_deleted": f["lines_added"],
              "category": f["category"]} for f in target.files]
    change = _record(ctx, target.service, t, False, files)
    author = ctx.rng.choice(target.service.team.people)
    payload = _payload(ctx, change, "none", author, "human")
    payload |= {"kind": "revert", "reverts_change_id": target.change_id,
                "vcs_change_title": f"Revert {target.change_id}"}
    _emit_change(ctx, change, payload)
    return change


def _record(ctx: Ctx, svc: Service, merged_at: float, bad: bool, files: list[dict[str, Any]]) -> SimChange:
    pr = ctx.next(f"pr:{svc.name}")
    sha = f"{ctx.rng.getrandbits(160):040x}"
    change = SimChange(f"{svc.name}#{pr}", svc, sha, merged_at, bad, files)
    if bad:
        ctx.truth.changes_bad.append(change.change_id)
    return change


def _ai_level(ctx: Ctx, svc: Service, day: int) -> str:
    rng, eff = ctx.rng, ctx.effects
    if rng.random() < eff.unknown_share:
        return "unknown"
    progress = day / max(ctx.days - 1, 1)
    share = eff.ai_share_start + (eff.ai_share_end - eff.ai_share_start) * progress
    if rng.random() >= min(max(share + svc.team.ai_offset, 0.0), 0.95):
        return "none"
    return ctx.pick("ai", list(eff.ai_level_mix), list(eff.ai_level_mix.values()))


def _author(ctx: Ctx, svc: Service, level: str) -> tuple[str, str]:
    if level == "agent_authored":
        return f"{ctx.rng.choice(AGENTS[:2])}[bot]", "agent"
    return ctx.rng.choice(svc.team.people), "human"


def _payload(ctx: Ctx, ch: SimChange, level: str, author: str, author_kind: str) -> dict[str, Any]:
    rng = ctx.rng
    added = sum(f["lines_added"] for f in ch.files)
    deleted = sum(f["lines_deleted"] for f in ch.files)
    committed = ch.merged_at - ctx.lognormal(20 * 3600.0, 1.2, 30 * DAY)
    ai: dict[str, Any] = {"level": level}
    if level not in ("none", "unknown"):
        tool = "claude-code" if author_kind != "agent" else author.removesuffix("[bot]")
        ai |= {"tool": tool, "model": MODELS.get(tool), "confidence": round(rng.uniform(0.7, 1.0), 2),
               "evidence": [_EVIDENCE[level]]}
    elif level == "none":
        ai |= {"confidence": 1.0, "evidence": ["no-ai attestation"]}
    return {
        "vcs_repository_name": ch.service.name, "vcs_ref_head_revision": ch.sha,
        "vcs_ref_base_name": "main", "commit_shas": [ch.sha], "vcs_change_id": ch.change_id.split("#")[1],
        "kind": "pull_request", "author": author, "author_kind": author_kind, "files": ch.files,
        "lines_added": added, "lines_deleted": deleted,
        "path_categories": sorted({f["category"] for f in ch.files}), "ai": ai,
        "approvals": [rng.choice(ch.service.team.people)], "review_count": rng.randint(1, 3),
        "committed_at": ctx.iso(committed), "merged_at": ctx.iso(ch.merged_at),
    }


def _emit_change(ctx: Ctx, ch: SimChange, payload: dict[str, Any]) -> None:
    svc = ch.service
    envelope = {"source": "github", "source_ref": ch.sha, "service_name": svc.name,
                "source_url": f"https://github.com/acme/{svc.name}/pull/{payload['vcs_change_id']}",
                "change_id": ch.change_id,
                "attributes": {"team": svc.team.name, "service.criticality": str(svc.criticality),
                               "change.signals": ",".join(signals(ctx.seed, ch.change_id, ch.files, ch.bad)),
                               "service.dependents": str(dependents(ctx.org, svc.name))}}
    gate_change(ctx, ch.change_id, svc.name, svc.team.people, ch.merged_at, envelope, payload)
    if ctx.rng.random() < ctx.effects.p_drop_change_event:
        ctx.truth.changes_missing.append(ch.change_id)
        return
    ctx.emit("change", ch.merged_at, envelope, payload)
