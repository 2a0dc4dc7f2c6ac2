"""``incident``: one state of an incident's lifecycle, with its blast radius."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from schemas.common import INT64_MAX, Model, ShortStr, UtcDatetime, field

IncidentStatus = Literal["triggered", "acknowledged", "mitigated", "resolved"]
CauseKind = Literal["change", "deployment", "agent_action", "other"]


class AffectedService(Model):
    name: ShortStr = field("Service name.", "checkout")
    criticality: Annotated[int, Field(ge=1, le=4)] = field(
        "1 = business critical .. 4 = internal tooling.", 1, default=3
    )
    dependency_depth: Annotated[int, Field(ge=0, le=INT64_MAX)] = field(
        "0 = the failing service itself, 1 = a direct dependent, ...", 0, default=0
    )


class CauseRef(Model):
    kind: CauseKind = field("change, deployment, agent_action or other.", "deployment")
    ref: ShortStr = field("Id of the cause (our id or a source-native one).",
                          "deploy-2026-11-02-0007")
    status: Literal["suspected", "confirmed"] = field("suspected or confirmed.", "confirmed",
                                                      default="suspected")


class Incident(Model):
    title: str = field("Incident title.", "Checkout 5xx in eu-west-1")
    status: IncidentStatus = field("triggered, acknowledged, mitigated or resolved.", "triggered")
    severity: Annotated[int, Field(ge=1, le=5)] = field("1 = most severe .. 5 = least.", 2)
    impact_started_at: UtcDatetime | None = field("When customer impact began.",
                                                  "2026-11-02T14:05:00Z", default=None)
    detected_at: UtcDatetime | None = field("When it was detected.", "2026-11-02T14:07:00Z",
                                            default=None)
    acknowledged_at: UtcDatetime | None = field("When a responder acknowledged it.",
                                                "2026-11-02T14:10:00Z", default=None)
    mitigated_at: UtcDatetime | None = field("When impact stopped.", "2026-11-02T14:40:00Z",
                                             default=None)
    resolved_at: UtcDatetime | None = field("When it was resolved.", "2026-11-02T15:30:00Z",
                                            default=None)
    affected_services: list[AffectedService] = field(
        "Services affected, with criticality and dependency depth.",
        [{"name": "checkout", "criticality": 1, "dependency_depth": 0}], default_factory=list,
    )
    regions: list[str] = field("Regions affected.", ["eu-west-1"], default_factory=list)
    cells: list[str] = field("Cells affected.", ["cell-3"], default_factory=list)
    users_affected: int | None = field("Users affected.", 12000, default=None, ge=0, le=INT64_MAX)
    tenants_affected: int | None = field("Tenants affected.", 14, default=None, ge=0, le=INT64_MAX)
    failed_requests: int | None = field("Failed requests.", 250000, default=None, ge=0, le=INT64_MAX)
    error_budget_burn: float | None = field(
        "Fraction of the period's error budget burnt (1.0 = all of it).", 0.35, default=None,
        ge=0.0,
    )
    causes: list[CauseRef] = field(
        "Explicit suspected or confirmed causes from responders.",
        [{"kind": "deployment", "ref": "deploy-2026-11-02-0007", "status": "confirmed"}],
        default_factory=list,
    )
    urgency: str | None = field("Paging urgency as the source states it.", "high", default=None)
