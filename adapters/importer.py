"""``aftershock import``: captured payloads -> events -> Kafka (through the Emitter) or the lake.

Input files, detected per file:

- a plain JSON file: one raw payload (needs ``--source``; ``--event`` where the source needs it),
  or one captured delivery;
- with ``--source defects``: a defect-links file (CSV or JSON, ``adapters/defects.py``), one
  ``defect_link`` event per link;
- NDJSON, one item per line: raw payloads (``--source``) or captured deliveries
  ``{"source": ..., "headers": {...}, "body": {...}[, "received_at": RFC 3339]}`` (GitHub's event
  comes from the ``X-GitHub-Event`` header there).

A bad item (not JSON, nested deeper than :data:`MAX_PAYLOAD_DEPTH`, unknown source, payload
missing what the mapping needs) is reported on stderr with file:line, source, event, JSON path
and reason, counted, and skipped. The depth is checked before the text is parsed: Python's parser
recurses once per level.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from adapters.base import MappingError, Rejected
from adapters.defects import SOURCE as DEFECTS
from adapters.defects import link_events
from adapters.identity import Catalog
from adapters.registry import adapt
from aftershock.errors import ConfigError
from schemas.event import Event
from schemas.wire import too_deep

MAX_PAYLOAD_DEPTH = 128
"""Nesting levels of objects and arrays a captured payload may have (webhook payloads and audit
records of the sources here nest about 20 at most)."""


@dataclass(frozen=True)
class Item:
    where: str  # file:line
    source: str | None
    event: str | None
    headers: dict[str, str]
    body: Any
    received_at: datetime | None = None


@dataclass
class Tally:
    items: int = 0
    events: int = 0
    rejected: int = 0
    not_events: int = 0  # well-formed payloads that carry no audit event (Rejected)


def read_items(path: Path, source: str | None, event: str | None) -> Iterator[Item | MappingError]:
    """Items of one file, in order; unreadable lines come as MappingError naming file:line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    try:
        if too_deep(text.encode(), MAX_PAYLOAD_DEPTH):
            raise ValueError("too deep to read whole")
        whole = json.loads(text)
    except (ValueError, RecursionError):
        yield from _ndjson(path, text, source, event)
        return
    yield _item(f"{path}:1", whole, source, event)


def _ndjson(path: Path, text: str, source: str | None, event: str | None) -> Iterator[Item | MappingError]:
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        if too_deep(line.encode(), MAX_PAYLOAD_DEPTH):
            yield MappingError(source or "?", event, where,
                               f"objects and arrays nest deeper than {MAX_PAYLOAD_DEPTH} levels: not read")
            continue
        try:
            yield _item(where, json.loads(line), source, event)
        except (ValueError, RecursionError) as exc:
            col = f" (col {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
            msg = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)[:200]
            yield MappingError(source or "?", event, f"{where}{col}",
                               f"not JSON ({msg}): malformed or truncated line")


def _item(where: str, data: Any, source: str | None, event: str | None) -> Item | MappingError:
    if isinstance(data, dict) and "body" in data and isinstance(data.get("source"), str):
        return _delivery(where, data, event)
    if source is None:
        return MappingError(
            "?",
            event,
            where,
            'a raw payload needs --source (or a captured delivery {"source", "headers", "body"})',
        )
    return Item(where, source, event, {}, data)


def _delivery(where: str, data: dict[str, Any], event: str | None) -> Item | MappingError:
    headers = data.get("headers") or {}
    if not isinstance(headers, dict):
        return MappingError(data["source"], event, f"{where} $.headers", "headers must be an object")
    received = data.get("received_at")
    try:
        received_at = datetime.fromisoformat(received.replace("Z", "+00:00")) if received else None
    except (AttributeError, ValueError):
        return MappingError(data["source"], event, f"{where} $.received_at", f"not RFC 3339: {received!r}")
    if received_at is not None and received_at.tzinfo is None:
        return MappingError(data["source"], event, f"{where} $.received_at", "timestamp without a timezone")
    return Item(
        where, data["source"], event, {str(k): str(v) for k, v in headers.items()}, data["body"], received_at
    )


def events_of(
    paths: list[Path], source: str | None, event: str | None, catalog: Catalog, tally: Tally
) -> Iterator[Event]:
    """Every event the files map to; reports and counts what is rejected."""
    if source == DEFECTS:
        yield from _defect_events(paths, tally)
        return
    for path in paths:
        for item in read_items(path, source, event):
            tally.items += 1
            if isinstance(item, MappingError):
                _report(item, "")
                tally.rejected += 1
                continue
            try:
                mapped = adapt(
                    item.source or "", item.body, item.event, item.headers, item.received_at, catalog
                )
            except MappingError as exc:
                _report(exc, item.where)
                tally.rejected += 1
                tally.not_events += isinstance(exc, Rejected)
                continue
            tally.events += len(mapped)
            yield from mapped
            if tally.items % 1000 == 0:
                print(f"import: {tally.items} items, {tally.events} events", file=sys.stderr, flush=True)


def _defect_events(paths: list[Path], tally: Tally) -> Iterator[Event]:
    for path in paths:
        for mapped in link_events(path):
            tally.items += 1
            if isinstance(mapped, MappingError):
                _report(mapped, "")
                tally.rejected += 1
                continue
            tally.events += 1
            yield mapped


def _report(exc: MappingError, where: str) -> None:
    label = "skipped (no audit event)" if isinstance(exc, Rejected) else "rejected"
    prefix = f"{where}: " if where else ""
    print(
        f"import: {label}: {prefix}source={exc.source} event={exc.event} {exc.path}: {exc.reason}",
        file=sys.stderr,
        flush=True,
    )
