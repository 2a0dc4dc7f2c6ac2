"""Which adapter handles which source, and the one entry point: :func:`adapt`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from adapters import agents, cloud, delivery, github, gitlab, paging
from adapters.base import Context, MappingError
from adapters.identity import Catalog
from schemas.event import Event
from schemas.redaction import redact_event

Adapter = Callable[[Any, Context], list[Event]]

ADAPTERS: dict[str, Adapter] = {
    "github": github.adapt,
    "gitlab": gitlab.adapt,
    "pagerduty": paging.pagerduty,
    "opsgenie": paging.opsgenie,
    "aws-cloudtrail": cloud.cloudtrail,
    "k8s-audit": cloud.k8s_audit,
    "claude-code": agents.claude_code,
    "otel-genai": agents.otel_genai,
    "flux": delivery.flux,
    "cdevents": delivery.cdevents,
}
ALIASES = {
    "cloudtrail": "aws-cloudtrail",
    "kubernetes": "k8s-audit",
    "k8s": "k8s-audit",
    "claude-code-hooks": "claude-code",
    "otel": "otel-genai",
}
EVENT_HEADERS = ("X-GitHub-Event", "X-Gitlab-Event")


def source_name(source: str) -> str:
    """The canonical name of ``source``; a MappingError lists the known ones."""
    name = ALIASES.get(source.lower(), source.lower())
    if name not in ADAPTERS:
        raise MappingError(source, None, "$", f"unknown source; known: {', '.join(sorted(ADAPTERS))}")
    return name


def adapt(
    source: str,
    body: Any,
    event: str | None = None,
    headers: dict[str, str] | None = None,
    received_at: datetime | None = None,
    catalog: Catalog | None = None,
) -> list[Event]:
    """Map one payload to validated, redacted events; MappingError/Rejected say why not."""
    name = source_name(source)
    ctx = Context(name, event, dict(headers or {}), received_at, catalog or Catalog())
    if ctx.event is None:
        label = next((h for k in EVENT_HEADERS if (h := ctx.header(k))), None) or _label(body)
        ctx = Context(name, label, ctx.headers, received_at, ctx.catalog)
    if not isinstance(body, dict | list):
        raise ctx.fail("$", f"expected a JSON object, got {type(body).__name__}")
    return [redact_event(e) for e in ADAPTERS[name](body, ctx)]


_LABEL_PATHS = (
    ("hook_event_name",),
    ("object_kind",),
    ("event", "event_type"),
    ("context", "type"),
    ("eventName",),
    ("detail-type",),
    ("verb",),
    ("action",),
    ("reason",),
)


def _label(body: Any) -> str | None:
    """A name for the payload's kind, for messages (``PreToolUse``, ``incident.resolved``...)."""
    for path in _LABEL_PATHS:
        value: Any = body
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, str):
            return value
    return None
