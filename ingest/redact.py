"""The one place the worker removes secrets from an event before it is landed."""

from __future__ import annotations

from schemas.event import Event
from schemas.redaction import redact_event


def redact(event: Event) -> Event:
    """``event`` with credentials replaced by ``[REDACTED:<kind>]`` (itself if none found)."""
    return redact_event(event)
