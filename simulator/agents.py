"""Agent actions: sessions of tool calls across consequence tiers, guardrail decisions, and the
rare destructive action that causes an incident."""

from __future__ import annotations

from typing import Any

from simulator.context import Ctx
from simulator.incidents import Impact, open_incident
from simulator.org import AGENTS, MODELS, REGIONS, Service

_COMMANDS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "read": (("Bash", "read", "kubectl get pods -n {svc}"), ("Read", "read", "src/{svc}/service/main.go"),
             ("Grep", "read", "grep -rn timeout src/{svc}")),
    "propose": (("Bash", "propose", "gh pr create --title 'Tune {svc} retries'"),
                ("Edit", "edit", "src/{svc}/handlers/retry.py")),
    "mutate": (("Bash", "scale", "kubectl scale deployment/{svc} --replicas=6 -n {svc}"),
               ("Bash", "restart", "kubectl rollout restart deployment/{svc} -n {svc}")),
    "mutate_config": (("Bash", "apply", "kubectl apply -f deploy/k8s/{svc}.yaml"),
                      ("Bash", "put", "aws ssm put-parameter --name /{svc}/flags --overwrite")),
    "destructive": (("Bash", "delete", "kubectl delete namespace {svc}"),
                    ("Bash", "delete", "aws s3 rm --recursive s3://{svc}-data"),
                    ("Bash", "destroy", "terraform destroy -target=module.{svc}")),
}
_TARGET = {"read": "k8s:namespace/{svc}", "propose": "repo:{svc}", "mutate": "k8s:deployment/{svc}",
           "mutate_config": "k8s:configmap/{svc}", "destructive": "k8s:namespace/{svc}"}


def agent_day(ctx: Ctx, day_start: float, count: int) -> None:
    """``count`` tool calls grouped in sessions of a few to a few dozen calls."""
    done = 0
    while done < count:
        length = min(count - done, 1 + int(ctx.rng.expovariate(1 / 12)))
        _session(ctx, day_start + ctx.rng.uniform(0, 86_000.0), length)
        done += length


def _session(ctx: Ctx, t: float, length: int) -> None:
    rng = ctx.rng
    svc = rng.choice(ctx.org.services)
    agent = rng.choices(AGENTS, (0.6, 0.25, 0.15))[0]
    principal = rng.choice(svc.team.people)
    session = f"sess-{ctx.next('session'):07d}"
    tiers, weights = list(ctx.effects.tier_mix), list(ctx.effects.tier_mix.values())
    for _ in range(length):
        t += rng.uniform(5.0, 120.0)
        _action(ctx, svc, agent, principal, session, ctx.pick("tier", tiers, weights), t)


def _action(ctx: Ctx, svc: Service, agent: str, principal: str, session: str, tier: str, t: float) -> None:
    tool, verb, command = ctx.rng.choice(_COMMANDS[tier])
    payload: dict[str, Any] = {
        "gen_ai_agent_name": agent, "gen_ai_request_model": MODELS[agent], "enduser_id": principal,
        "gen_ai_tool_name": tool, "verb": verb, "target_resource": _TARGET[tier].format(svc=svc.name),
        "command": command.format(svc=svc.name), "consequence_tier": tier,
    } | _guardrail(ctx, tier, principal, svc)
    envelope = {"source": agent, "service_name": svc.name, "session_id": session,
                "deployment_environment_name": "production", "attributes": {"team": svc.team.name}}
    event_id = ctx.emit("agent_action", t, envelope, payload)
    if payload["decision"] == "allowed" and payload["outcome"] == "succeeded":
        _maybe_incident(ctx, svc, tier, event_id, t)


def _guardrail(ctx: Ctx, tier: str, principal: str, svc: Service) -> dict[str, Any]:
    """authorization, approvers, decision and outcome of one call."""
    rng = ctx.rng
    ok = "succeeded" if rng.random() < 0.95 else "failed"
    if tier in ("read", "propose"):
        return {"authorization": "policy", "decision": "allowed", "outcome": ok}
    if tier != "destructive":
        if rng.random() < (0.03 if tier == "mutate" else 0.1):
            return {"authorization": "human", "approvers": [principal], "decision": "denied",
                    "outcome": "blocked", "error_message": "denied by the approver"}
        return {"authorization": "human", "approvers": [principal], "decision": "allowed", "outcome": ok}
    roll = rng.random()
    if roll < ctx.effects.p_destructive_bypass:
        return {"authorization": "human", "approvers": [principal], "decision": "allowed", "outcome": ok}
    if roll < ctx.effects.p_destructive_bypass + 0.3:
        second = rng.choice([p for p in svc.team.people if p != principal] or [principal])
        return {"authorization": "second_human", "approvers": [principal, second], "decision": "allowed",
                "outcome": ok}
    return {"authorization": "human", "approvers": [principal], "decision": "denied", "outcome": "blocked",
            "error_message": "second authorization required"}


def _maybe_incident(ctx: Ctx, svc: Service, tier: str, event_id: str, t: float) -> None:
    p = {"destructive": ctx.effects.p_incident_destructive,
         "mutate_config": ctx.effects.p_incident_mutate_config}.get(tier, 0.0)
    if p == 0.0 or ctx.rng.random() >= p:
        return
    region = ctx.rng.choice(REGIONS)
    note = {"kind": "agent_action", "ref": event_id, "status": "confirmed"} \
        if ctx.rng.random() < ctx.effects.p_explicit_cause else None
    impact = Impact(svc, t + ctx.rng.uniform(30.0, 900.0), [region], list(ctx.org.cells[region]), 40.0,
                    "agent_action", event_id, note)
    open_incident(ctx, impact)
