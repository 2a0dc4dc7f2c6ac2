"""A small hand-checked lake for "layers that held": gate decisions, reviews, rollouts, incidents.

Minutes after T0 = 2026-11-02T00:00Z (a Monday); all in production; every incident names its
deployment as the confirmed cause, so its top suspect is the one change that deployment shipped.

Changes, gate decisions (minute: decision), review, deployment, incident:
  L1 pay@l1   50 require_review (medium), 55 allow      reviews 2  E1 canary 60..75 rolled_back
              J1 impact 90, detected 95   -> gate held, review failed, rollout held (canary),
                                             rollback held (75 <= 90): 3 layers held
  L2 shop@l2  100 block (high), 110 block overridden by "lead"  reviews 1  E2 staged 120..140 succeeded
              J2 impact 200, detected 230 -> gate failed (overridden), review failed, rollout failed,
                                             rollback failed: 0 held
  L3 web@l3   300 allow (low)              no review, no approval  E3 all_at_once 310..320 succeeded,
              rolled back by E3R at 400;  J3 impact 350, detected 360 -> gate failed, review absent,
                                             rollout absent, rollback failed (400 > 350): 0 held
  L4 api@l4   no gate decision             reviews 3  E4 canary 500..510 rolled_back
              J4 impact 505, detected 507 -> gate absent, review failed, rollout held (canary),
                                             rollback failed (510 > 505): 1 held
  L5 pay@l5   600 require_review, 610 allow    E5 canary 620..640 succeeded, no incident
  L6 shop@l6  700 allow                        E6 staged 710..730 succeeded, no incident
  L7 web@l7   800 block, 805 block overridden by "sre"   E7 all_at_once 810..820, no incident
  J5          an incident on "ledger" with no recorded cause (no layers)

Org table over the 4 incident-causing changes: gate flagged 2 (L1, L2; 3 gated), caught at
canary 2 (L1, L4), rolled back before impact 1 (L1), through every layer 2 (L2, L3; all layers
known for 3: not L4). Gate: 6 changes decided, 4 flagged; 3 of them caused incidents, 2 of those
flagged (recall 2/3); 2 overrides, 1 (L2) before an incident.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from schemas.change import AIAttribution, Change, FileChange
from schemas.deployment import Deployment
from schemas.event import ChangeEvent, DeploymentEvent, Event, GateDecisionEvent, IncidentEvent
from schemas.gate_decision import GateDecision
from schemas.incident import AffectedService, CauseRef, Incident

T0 = datetime(2026, 11, 2, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def change(cid: str, merged: float, **payload: Any) -> ChangeEvent:
    service = cid.split("@")[0]
    return ChangeEvent(
        event_id=f"chg-{cid}", source="github", occurred_at=at(merged), service_name=service, change_id=cid,
        payload=Change(vcs_repository_name=service, author="dev", commit_shas=[cid[-2:]], kind="pull_request",
                       files=[FileChange(path="src/a.py", lines_added=10, lines_deleted=2)],
                       lines_added=10, lines_deleted=2, ai=AIAttribution(level="co_authored"),
                       merged_at=at(merged), **payload))


def gate(cid: str, minute: float, decision: str, tier: str, score: float, override: bool = False,
         approved_by: tuple[str, ...] = ()) -> GateDecisionEvent:
    return GateDecisionEvent(
        event_id=f"gate-{cid}-{minute:g}", source="aftershock-gate", occurred_at=at(minute),
        service_name=cid.split("@")[0], change_id=cid,
        payload=GateDecision(subject_kind="change", subject_id=cid, gate="ci", inputs_json="{}", score=score,
                             tier=tier, decision=decision, override=override,  # type: ignore[arg-type]
                             approved_by=list(approved_by), rules_version="t"))


def deploy(did: str, service: str, start: float, end: float, status: str, strategy: str,
           change_ids: list[str], **payload: Any) -> DeploymentEvent:
    return DeploymentEvent(
        event_id=f"dep-{did}-{status}", source="argocd", occurred_at=at(end), service_name=service,
        deployment_environment_name="production", deployment_id=did,
        payload=Deployment(change_ids=change_ids, status=status, strategy=strategy,  # type: ignore[arg-type]
                           started_at=at(start), finished_at=at(end), **payload))


def incident(iid: str, service: str, impact: float, detected: float, cause: str | None) -> IncidentEvent:
    causes = [CauseRef(kind="deployment", ref=cause, status="confirmed")] if cause else []
    return IncidentEvent(
        event_id=f"{iid}-resolved", source="pagerduty", occurred_at=at(impact + 60), service_name=service,
        incident_id=iid, deployment_environment_name="production",
        payload=Incident(title=f"{iid} down", status="resolved", severity=2, impact_started_at=at(impact),
                         detected_at=at(detected), mitigated_at=at(impact + 30), resolved_at=at(impact + 60),
                         affected_services=[AffectedService(name=service, criticality=2, dependency_depth=0)],
                         causes=causes))


def all_events() -> list[Event]:
    return [
        change("pay@l1", 45, review_count=2, approvals=["ann"]),
        gate("pay@l1", 50, "require_review", "medium", 2.5),
        gate("pay@l1", 55, "allow", "medium", 2.5),
        deploy("E1", "pay", 60, 65, "in_progress", "canary", ["pay@l1"], stage="canary"),
        deploy("E1", "pay", 60, 75, "rolled_back", "canary", ["pay@l1"], stage="canary"),
        incident("J1", "pay", 90, 95, "E1"),
        change("shop@l2", 95, review_count=1, approvals=["bob"]),
        gate("shop@l2", 100, "block", "high", 6.0),
        gate("shop@l2", 110, "block", "high", 6.0, override=True, approved_by=("lead",)),
        deploy("E2", "shop", 120, 140, "succeeded", "staged", ["shop@l2"]),
        incident("J2", "shop", 200, 230, "E2"),
        change("web@l3", 295, review_count=0),
        gate("web@l3", 300, "allow", "low", 0.0),
        deploy("E3", "web", 310, 320, "succeeded", "all_at_once", ["web@l3"]),
        deploy("E3R", "web", 400, 404, "succeeded", "all_at_once", [], rollback_of="E3"),
        incident("J3", "web", 350, 360, "E3"),
        change("api@l4", 495, review_count=3, approvals=["cy", "di"]),
        deploy("E4", "api", 500, 510, "rolled_back", "canary", ["api@l4"], stage="canary"),
        incident("J4", "api", 505, 507, "E4"),
        change("pay@l5", 605, review_count=1),
        gate("pay@l5", 600, "require_review", "medium", 2.0),
        gate("pay@l5", 610, "allow", "medium", 2.0),
        deploy("E5", "pay", 620, 640, "succeeded", "canary", ["pay@l5"]),
        change("shop@l6", 705, review_count=1),
        gate("shop@l6", 700, "allow", "low", 1.0),
        deploy("E6", "shop", 710, 730, "succeeded", "staged", ["shop@l6"]),
        change("web@l7", 806, review_count=1),
        gate("web@l7", 800, "block", "high", 5.0),
        gate("web@l7", 805, "block", "high", 5.0, override=True, approved_by=("sre",)),
        deploy("E7", "web", 810, 820, "succeeded", "all_at_once", ["web@l7"]),
        incident("J5", "ledger", 900, 910, None),
    ]
