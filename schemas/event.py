"""Events: the envelope plus one typed payload, selected by ``event_type``."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, TypeAdapter, ValidationError

from schemas.agent_action import AgentAction
from schemas.change import Change
from schemas.defect_link import DefectLink
from schemas.deployment import Deployment
from schemas.envelope import Envelope
from schemas.gate_decision import GateDecision
from schemas.incident import Incident


class AgentActionEvent(Envelope):
    event_type: Literal["agent_action"] = "agent_action"
    payload: AgentAction


class ChangeEvent(Envelope):
    event_type: Literal["change"] = "change"
    payload: Change


class DeploymentEvent(Envelope):
    event_type: Literal["deployment"] = "deployment"
    payload: Deployment


class IncidentEvent(Envelope):
    event_type: Literal["incident"] = "incident"
    payload: Incident


class GateDecisionEvent(Envelope):
    event_type: Literal["gate_decision"] = "gate_decision"
    payload: GateDecision


class DefectLinkEvent(Envelope):
    event_type: Literal["defect_link"] = "defect_link"
    payload: DefectLink


Event = Annotated[
    AgentActionEvent | ChangeEvent | DeploymentEvent | IncidentEvent | GateDecisionEvent
    | DefectLinkEvent,
    Field(discriminator="event_type"),
]

EVENT_CLASSES: dict[str, type[Envelope]] = {
    "agent_action": AgentActionEvent,
    "change": ChangeEvent,
    "deployment": DeploymentEvent,
    "incident": IncidentEvent,
    "gate_decision": GateDecisionEvent,
    "defect_link": DefectLinkEvent,
}

EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)


def parse_event(data: bytes | str) -> Event:
    """Validate JSON bytes into a typed event; raises ``pydantic.ValidationError``."""
    return EVENT_ADAPTER.validate_json(data)


def parse_obj(data: object) -> Event:
    """Validate a decoded JSON object into a typed event; raises ``pydantic.ValidationError``."""
    return EVENT_ADAPTER.validate_python(data)


def describe_error(exc: ValidationError, limit: int = 3) -> str:
    """One line naming the JSON path and reason of the first ``limit`` problems."""
    parts = []
    for err in exc.errors()[:limit]:
        loc = err["loc"][1:] if err["loc"] and err["loc"][0] in EVENT_CLASSES else err["loc"]
        path = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc)
        parts.append(f"{path}: {err['msg']}")
    more = exc.error_count() - limit
    return "; ".join(parts) + (f" (+{more} more)" if more > 0 else "")
