"""What every adapter shares: the context of one payload, errors naming source/event/path, time parsing."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from adapters.identity import Catalog
from aftershock.errors import EventError
from schemas.event import Event, describe_error, parse_obj


class MappingError(EventError):
    """A payload that cannot become an event: names the source, the event, the JSON path and why."""

    def __init__(self, source: str, event: str | None, path: str, reason: str) -> None:
        self.source, self.event, self.path, self.reason = source, event or "?", path, reason
        super().__init__(f"{source} {self.event}: {path}: {reason}")


class Rejected(MappingError):
    """A well-formed payload that carries no audit event (e.g. a session-start hook: no action)."""


@dataclass(frozen=True)
class Context:
    source: str
    event: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    received_at: datetime | None = None
    catalog: Catalog = field(default_factory=Catalog)

    def fail(self, path: str, reason: str) -> MappingError:
        return MappingError(self.source, self.event, path, reason)

    def reject(self, reason: str, path: str = "$") -> Rejected:
        return Rejected(self.source, self.event, path, reason)

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), None)


def get(ctx: Context, obj: Any, path: str, kind: type | tuple[type, ...] = object, at: str = "$") -> Any:
    """``obj`` at dotted ``path`` (``a.b.0.c``); a MappingError names the JSON path if it is missing.

    ``at`` is the JSON path of ``obj`` itself in the payload, for the message.
    """
    current = obj
    walked = at
    for part in path.split("."):
        walked += f"[{part}]" if part.isdigit() else f".{part}"
        if isinstance(current, dict) and part in current and current[part] is not None:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            raise ctx.fail(walked, "missing (the mapping needs it)")
    if not isinstance(current, kind):
        raise ctx.fail(walked, f"expected {_kind_name(kind)}, got {type(current).__name__}")
    return current


def opt(obj: Any, path: str, default: Any = None) -> Any:
    """``obj`` at dotted ``path``, or ``default`` when any step is missing or null."""
    current = obj
    for part in path.split("."):
        if isinstance(current, dict):
            current = current.get(part)
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return default
        if current is None:
            return default
    return current


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(k.__name__ for k in kinds)


def parse_time(ctx: Context, value: Any, path: str) -> datetime:
    """ISO 8601, GitLab's ``2021-04-28 21:50:00 +0200`` / ``... UTC``, or epoch s/ms/us/ns."""
    if isinstance(value, bool):
        raise ctx.fail(path, f"not a timestamp: {value!r}")
    if isinstance(value, int | float):
        return _from_epoch(value)
    if isinstance(value, str) and value:
        text = value.strip().replace(" UTC", "+00:00")
        for fmt in ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M:%S%z"):
            try:
                return datetime.strptime(text, fmt).astimezone(UTC)
            except ValueError:
                pass
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ctx.fail(path, f"not a timestamp: {value!r}") from None
        if parsed.tzinfo is None:
            raise ctx.fail(path, f"timestamp without a timezone: {value!r}")
        return parsed.astimezone(UTC)
    raise ctx.fail(path, f"not a timestamp: {value!r}")


def _from_epoch(value: float) -> datetime:
    for scale in (1, 1_000, 1_000_000, 1_000_000_000):
        if value / scale < 10_000_000_000:  # seconds before the year 2286
            return datetime.fromtimestamp(value / scale, UTC)
    return datetime.fromtimestamp(value / 1_000_000_000, UTC)


def event_time(ctx: Context) -> datetime:
    """For payloads without a time of their own: when the delivery arrived, else now."""
    return ctx.received_at or datetime.now(UTC)


def digest(*parts: Any) -> str:
    """A stable id from source-native parts (re-importing the same payload gives the same id)."""
    text = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def build(ctx: Context, data: dict[str, Any]) -> Event:
    """Validate one mapped event; a mapping bug shows as a MappingError with the JSON path."""
    data.setdefault("source", ctx.source)
    try:
        return parse_obj(data)
    except ValidationError as exc:
        raise ctx.fail("$", f"mapped event is invalid: {describe_error(exc)}") from exc
