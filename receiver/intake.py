"""One delivery, from raw bytes to a reply: verify, dedupe, map, spool, remember.

The order is what makes a 2xx safe to send: the delivery's events (or its dead letter) are appended
to the emitter's fsync'd spool first, its delivery id is recorded after; a crash in between makes
the sender's retry spool it again (the lake keeps one event per ``(source, event_id)``).

Replies: 202 accepted (``events`` spooled, or ``dead_lettered``, or ``ignored``: a well-formed
payload that carries no audit event, such as GitHub's ping), 200 duplicate, 401 bad or missing
signature, 403 source not configured, 404 unknown source, 503 spool full or broker credentials
refused (with Retry-After). A 4xx is only ever about the request itself, never about our state:
senders such as PagerDuty drop deliveries on 4xx and disable endpoints after repeated drops.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from adapters.base import MappingError, Rejected
from adapters.identity import Catalog
from adapters.registry import adapt
from aftershock.errors import BrokerError, EventError
from aftershock.sdk.emitter import Emitter
from aftershock.sdk.records import validate
from aftershock.sdk.spool import SpoolFullError
from aftershock.settings import WebhooksSettings
from receiver.deadletter import Receipt, dead_letter
from receiver.dedupe import DeliveryStore
from receiver.metrics import Counters
from receiver.sources import NAMES, Source, configured, delivery_id
from schemas.envelope import MAX_ATTRIBUTES
from schemas.event import Event


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


class Intake:
    """Takes deliveries from any number of threads; spool appends and id records one at a time."""

    def __init__(self, settings: WebhooksSettings, emitter: Emitter, store: DeliveryStore,
                 dead_letter_topic: str, counters: Counters | None = None,
                 catalog: Catalog | None = None) -> None:
        self.settings, self.emitter, self.store = settings, emitter, store
        self.dead_letter_topic = dead_letter_topic
        self.counters = counters or Counters()
        self.catalog = catalog or Catalog()
        self.sources = configured(settings)
        self._lock = threading.Lock()  # the emitter is used from one thread at a time

    def handle(self, name: str, headers: Mapping[str, str], body: bytes) -> Reply:
        source = self.sources.get(name)
        if source is None:
            self.counters.add("deliveries_rejected_total", source="unknown", reason="unknown_source")
            return Reply(404, {"error": f"unknown source {name[:64]!r}", "sources": list(NAMES)})
        refused = self._verify(source, headers, body)
        if isinstance(refused, Reply):
            return refused
        receipt = Receipt(source.name, delivery_id(source, headers), datetime.now(UTC), refused)
        with self._lock:
            if receipt.delivery_id and self.store.seen(source.name, receipt.delivery_id):
                self.counters.add("deliveries_duplicate_total", source=source.name)
                return Reply(200, {"status": "duplicate", "delivery_id": receipt.delivery_id})
            try:
                reply = self._take(source, headers, body, receipt)
            except BrokerError as exc:  # spool full, or the broker refused our credentials
                return self._unavailable(source, exc)
            if receipt.delivery_id:
                self.store.record(source.name, receipt.delivery_id, receipt.received_at)
        self.counters.add("deliveries_accepted_total", source=source.name)
        return reply

    def refuse(self, source: str, status: int, reason: str, message: str) -> Reply:
        """A refusal decided before the delivery reached the intake (e.g. body too large)."""
        self.counters.add("deliveries_rejected_total", source=source, reason=reason)
        return Reply(status, {"error": message})

    # -- verification ----------------------------------------------------------------------
    def _verify(self, source: Source, headers: Mapping[str, str], body: bytes) -> str | Reply:
        """``verified``/``unsigned`` for a delivery to take, else the refusal."""
        if not source.secrets:
            if source.name in self.settings.unsigned_sources:
                return "unsigned"
            return self.refuse(source.name, 403, "not_configured",
                               f"source {source.name} has no secret configured: set "
                               f"AFTERSHOCK_WEBHOOKS__{source.secret_setting}")
        verdict = source.check(headers, body, source.secrets)
        if not verdict.ok:
            return self.refuse(source.name, 401, "signature", f"signature check failed: {verdict.reason}")
        return "verified"

    # -- taking a delivery -----------------------------------------------------------------
    def _take(self, source: Source, headers: Mapping[str, str], body: bytes, receipt: Receipt) -> Reply:
        try:
            events = self._events(source, headers, body, receipt)
        except Rejected as exc:
            self.counters.add("deliveries_ignored_total", source=source.name)
            return Reply(202, {"status": "ignored", "reason": f"{exc.path}: {exc.reason}"})
        except (EventError, ValueError) as exc:
            return self._dead_letter(source, body, receipt, exc)
        done = 0
        try:
            for event in events:
                self.emitter.emit(event)
                done += 1
        except EventError as exc:  # an event too large for Kafka: its delivery is dead-lettered
            return self._dead_letter(source, body, receipt, exc, "oversized_event", events=done)
        self.counters.add("events_spooled_total", len(events))
        return Reply(202, {"status": "accepted", "events": len(events),
                           "delivery_id": receipt.delivery_id})

    def _events(self, source: Source, headers: Mapping[str, str], body: bytes,
                receipt: Receipt) -> list[Event]:
        try:
            payload = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise _NotJson(f"body is not JSON: {exc}") from exc
        if source.adapter is None:
            items = payload if isinstance(payload, list) else [payload]
            events = [validate(item) if isinstance(item, dict) else _not_object(item) for item in items]
        else:
            events = adapt(source.adapter, payload, None, dict(headers), receipt.received_at, self.catalog)
        return [_stamped(event, receipt) for event in events]

    def _dead_letter(self, source: Source, body: bytes, receipt: Receipt, exc: Exception,
                     reason: str | None = None, events: int = 0) -> Reply:
        why = reason or _reason(exc)
        self.emitter.spool.append([dead_letter(self.dead_letter_topic, receipt, body, why, exc)])
        self.counters.add("events_spooled_total", events + 1)
        self.counters.add("dead_letters_total", source=source.name, reason=why)
        return Reply(202, {"status": "dead_lettered", "reason": why, "delivery_id": receipt.delivery_id})

    def _unavailable(self, source: Source, exc: BrokerError) -> Reply:
        full = isinstance(exc, SpoolFullError)
        reason = "spool_full" if full else "broker"
        self.counters.add("deliveries_rejected_total", source=source.name, reason=reason)
        message = ("the receiver's spool is full: retry later" if full
                   else "the receiver cannot reach Kafka with its credentials: retry later")
        return Reply(503, {"error": message}, {"Retry-After": str(self.settings.retry_after_s)})


class _NotJson(ValueError):
    pass


def _not_object(item: Any) -> Event:
    raise EventError(f"expected an event object, got {type(item).__name__}")


def _reason(exc: Exception) -> str:
    if isinstance(exc, _NotJson):
        return "not_json"
    if isinstance(exc, MappingError):
        return "unmapped"
    return "invalid"


def _stamped(event: Event, receipt: Receipt) -> Event:
    """``event`` with the receipt in its attributes (left as it is when they would not fit)."""
    merged = {**event.attributes, **receipt.attributes()}
    if len(merged) > MAX_ATTRIBUTES:
        return event
    return event.model_copy(update={"attributes": merged})
