"""A small hand-checked organisation: the events, and the lake built from them.

Times are minutes after T0 = 2026-11-02T00:00Z; everything is in production unless said.

Changes (lines = added + deleted):
  C1  payments@a1   none            10  app_code      committed T0-120  shipped by D1 (and D8 in staging)
  C2  payments@b2   agent_authored 120  iam_policy    committed T0-300  shipped by D2, reverted by C5
  C3  checkout#7    co_authored     40  app_code      squash merge: commits c3a, c3b, head c3m; two events
                                                      (opened, merged); D4 ships sha c3m without listing it
  C4  checkout@d4   suggested       10  config        committed T0+540  shipped by D7
  C5  payments@e5   none           120  app_code      revert of C2, shipped by D3
  C6  search@f6     none            50  app_code      never deployed
  C7  search@g7     unknown          8  app_code      shipped by D6 together with C8
  C8  search@h8     none            12  app_code      shipped by D6 together with C7
  C9  search@i9     none             3  config        shipped alone by D10, which failed
  C10 checkout@j10  suggested      600  deploy_logic  shipped by D11, reverted by C11 (never deployed)
  C11 checkout@k11  none           600  deploy_logic  revert of C10

Deployments (start..finish, minutes after T0):
  D1  payments  60..70   succeeded (two events: started, succeeded)
  D2  payments 180..190  succeeded
  D3  payments 250..260  succeeded            (ships the revert C5)
  D4  checkout 360..365  rolled_back          (rolled back by D5)
  D5  checkout 380..385  succeeded, rollback_of D4, ships no change
  D6  search   480..490  failed               (two changes)
  D7  checkout 600..610  succeeded            (one event delivered twice, and reported by a 2nd source)
  D8  payments  30..40   succeeded in STAGING (not a production deployment)
  D9  payments 1200..1205 succeeded, ships no change
  D10 search   1320..1325 failed
  D11 checkout 1380..1390 succeeded

Incidents:
  I1  payments (crit 1, depth 0) + checkout (crit 2, depth 1); impact 210, mitigated 270,
      resolved 300; sev 2; no annotation (linked by time window + revert of C2)
  I2  checkout (crit 2); impact 370, mitigated 385; sev 1; responders suspect D4
  I3  ledger (crit 3); impact 720..780; sev 3; nothing recorded touched ledger: unlinked
  I4  search (crit 3); impact 845..905; sev 2; caused by agent action A1 at 840
  I5  payments (crit 1); impact 1230..1260; sev 4; D9 30 min earlier (0.467 < 0.5: unlinked at 0.5)

Agent actions:
  A1  destructive, allowed, authorization human, succeeded, search, at 840
  A2  destructive, denied, authorization none, blocked, payments, at 900
  A3  destructive, allowed, second_human, succeeded, ledger, at 960
  A4  read, allowed, none, succeeded, payments, at 100
  A5  mutate, asked, human, succeeded, checkout, at 200
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from schemas.agent_action import AgentAction
from schemas.change import AIAttribution, Change, FileChange
from schemas.deployment import Deployment
from schemas.event import AgentActionEvent, ChangeEvent, DeploymentEvent, Event, IncidentEvent
from schemas.incident import AffectedService, CauseRef, Incident

T0 = datetime(2026, 11, 2, tzinfo=UTC)

# Round linking weights for the hand-worked tests (test_outcomes.py works every confidence out);
# the calibrated ones of analytics/link_weights.toml change whenever the calibration is rerun.
ROUND_WEIGHTS = {
    "deploy_bias": -1.0, "deploy_log_hours": -1.0, "deploy_after": -2.0, "deploy_latest": 1.0,
    "deploy_latest_successful": 0.3, "deploy_failed": 1.0, "deploy_depth": -1.0, "deploy_other_region": -1.0,
    "deploy_component": 0.0, "deploy_risky": 0.0, "deploy_log_lines": 0.0,
    "deploy_region_coverage": 0.0,
    "agent_bias": -1.0, "agent_mutate_config": 1.0, "agent_destructive": 2.0, "agent_log_hours": -1.0,
    "agent_after": -2.0, "agent_depth": -1.0,
    "change_head": 1.0, "change_position": 0.0, "change_risky": 0.0, "change_log_lines": 0.0,
    "change_component": 0.0, "deploy_latest_component": 0.0, "deploy_log_lags": 0.0,
    "deploy_lag_gap": 0.0, "deploy_component_lag": 0.0, "deploy_log_hours_lag": 0.0,
    "deploy_latest_lag": 0.0, "deploy_latest_successful_lag": 0.0, "deploy_log_candidates": 0.0,
    "calib_time_window_scale": 1.0, "calib_time_window_shift": 0.0, "calib_dependency_scale": 1.0,
    "calib_dependency_shift": 0.0, "calib_rollback_scale": 1.0, "calib_rollback_shift": 0.0,
    "calib_agent_action_scale": 1.0, "calib_agent_action_shift": 0.0,
}


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def change(cid: str, level: str, added: int, deleted: int, category: str, committed: float,
           event_id: str | None = None, **payload: Any) -> ChangeEvent:
    service = cid.split("@")[0].split("#")[0]
    return ChangeEvent(
        event_id=event_id or f"chg-{cid}", source="github", occurred_at=at(committed + 5),
        service_name=service, change_id=cid,
        payload=Change(
            vcs_repository_name=service, author="dev", commit_shas=payload.pop("commit_shas", [cid[-2:]]),
            files=[FileChange(path="x", lines_added=added, lines_deleted=deleted, category=category)],  # type: ignore[arg-type]
            lines_added=added, lines_deleted=deleted, path_categories=[category],  # type: ignore[list-item]
            ai=AIAttribution(level=level), committed_at=at(committed), **payload,  # type: ignore[arg-type]
        ),
    )


def deploy(did: str, service: str, start: float, end: float, status: str, change_ids: list[str],
           event_id: str | None = None, source: str = "github", env: str = "production",
           **payload: Any) -> DeploymentEvent:
    return DeploymentEvent(
        event_id=event_id or f"dep-{did}-{status}", source=source, occurred_at=at(end),
        service_name=service, deployment_environment_name=env, deployment_id=did,
        payload=Deployment(change_ids=change_ids, status=status, started_at=at(start),  # type: ignore[arg-type]
                           finished_at=at(end), strategy="all_at_once", **payload),
    )


def incident(iid: str, status: str, when: float, services: list[tuple[str, int, int]], severity: int,
             impact: float, mitigated: float | None = None, resolved: float | None = None,
             **payload: Any) -> IncidentEvent:
    return IncidentEvent(
        event_id=f"{iid}-{status}", source="pagerduty", source_ref=f"PD-{iid}", occurred_at=at(when),
        service_name=services[0][0], incident_id=iid, deployment_environment_name="production",
        payload=Incident(
            title=f"{iid} down", status=status, severity=severity, impact_started_at=at(impact),  # type: ignore[arg-type]
            mitigated_at=None if mitigated is None else at(mitigated),
            resolved_at=None if resolved is None else at(resolved),
            affected_services=[AffectedService(name=n, criticality=c, dependency_depth=d)
                               for n, c, d in services],
            **payload,
        ),
    )


def action(aid: str, service: str, when: float, tier: str, decision: str, authorization: str,
           outcome: str) -> AgentActionEvent:
    return AgentActionEvent(
        event_id=aid, source="claude-code", occurred_at=at(when), service_name=service,
        session_id=f"sess-{aid}",
        payload=AgentAction(gen_ai_agent_name="claude-code", gen_ai_tool_name="Bash", verb="x",
                            consequence_tier=tier, decision=decision,  # type: ignore[arg-type]
                            authorization=authorization, outcome=outcome),  # type: ignore[arg-type]
    )


def changes() -> list[Event]:
    return [
        change("payments@a1", "none", 10, 0, "app_code", -120),
        change("payments@b2", "agent_authored", 100, 20, "iam_policy", -300),
        change("checkout#7", "co_authored", 30, 10, "app_code", 100, event_id="pr7-opened",
               kind="pull_request", commit_shas=["c3a", "c3b"]),
        change("checkout#7", "co_authored", 30, 10, "app_code", 100, event_id="pr7-merged",
               kind="pull_request", commit_shas=["c3a", "c3b"], vcs_ref_head_revision="c3m",
               merged_at=at(300)),
        change("checkout@d4", "suggested", 5, 5, "config", 540),
        change("payments@e5", "none", 20, 100, "app_code", 235, kind="revert",
               reverts_change_id="payments@b2", merged_at=at(240)),
        change("search@f6", "none", 40, 10, "app_code", 0),
        change("search@g7", "unknown", 6, 2, "app_code", 400),
        change("search@h8", "none", 10, 2, "app_code", 400),
        change("search@i9", "none", 2, 1, "config", 1300),
        change("checkout@j10", "suggested", 500, 100, "deploy_logic", 1300),
        change("checkout@k11", "none", 100, 500, "deploy_logic", 1400, kind="revert",
               reverts_change_id="checkout@j10", merged_at=at(1410)),
    ]


def deployments() -> list[Event]:
    d7 = deploy("D7", "checkout", 600, 610, "succeeded", ["checkout@d4"])
    return [
        deploy("D1", "payments", 60, 60, "started", ["payments@a1"]),
        deploy("D1", "payments", 60, 70, "succeeded", ["payments@a1"]),
        deploy("D2", "payments", 180, 190, "succeeded", ["payments@b2"]),
        deploy("D3", "payments", 250, 260, "succeeded", ["payments@e5"]),
        deploy("D4", "checkout", 360, 365, "rolled_back", [], commit_shas=["c3m"]),
        deploy("D5", "checkout", 380, 385, "succeeded", [], rollback_of="D4"),
        deploy("D6", "search", 480, 490, "failed", ["search@g7", "search@h8"]),
        d7, d7,
        deploy("D7", "checkout", 600, 611, "succeeded", ["checkout@d4"], event_id="argo-7", source="argo"),
        deploy("D8", "payments", 30, 40, "succeeded", ["payments@a1"], env="staging"),
        deploy("D9", "payments", 1200, 1205, "succeeded", []),
        deploy("D10", "search", 1320, 1325, "failed", ["search@i9"]),
        deploy("D11", "checkout", 1380, 1390, "succeeded", ["checkout@j10"]),
    ]


def incidents() -> list[Event]:
    i1 = [("payments", 1, 0), ("checkout", 2, 1)]
    return [
        incident("I1", "triggered", 215, i1, 2, 210),
        incident("I1", "resolved", 300, i1, 2, 210, mitigated=270, resolved=300,
                 users_affected=1000, failed_requests=5000, error_budget_burn=0.2),
        incident("I2", "resolved", 400, [("checkout", 2, 0)], 1, 370, mitigated=385, resolved=400,
                 causes=[CauseRef(kind="deployment", ref="D4", status="suspected")]),
        incident("I3", "resolved", 780, [("ledger", 3, 0)], 3, 720, mitigated=780),
        incident("I4", "resolved", 905, [("search", 3, 0)], 2, 845, mitigated=905),
        incident("I5", "resolved", 1260, [("payments", 1, 0)], 4, 1230, mitigated=1260),
    ]


def agent_actions() -> list[Event]:
    return [
        action("A1", "search", 840, "destructive", "allowed", "human", "succeeded"),
        action("A2", "payments", 900, "destructive", "denied", "none", "blocked"),
        action("A3", "ledger", 960, "destructive", "allowed", "second_human", "succeeded"),
        action("A4", "payments", 100, "read", "allowed", "none", "succeeded"),
        action("A5", "checkout", 200, "mutate", "asked", "human", "succeeded"),
    ]


def all_events() -> list[Event]:
    return [*changes(), *deployments(), *incidents(), *agent_actions()]
