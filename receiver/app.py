"""The ASGI application: ``POST /webhooks/{source}``, ``GET /healthz``, ``/readyz``, ``/metrics``.

The blocking work of a delivery (fsync'd spool append, SQLite) runs in a worker thread; the event
loop only reads bodies (bounded: 413 beyond ``max_body_bytes``) and writes replies.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from anyio import to_thread
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from aftershock.sdk.link import KafkaLink
from receiver.intake import Intake, Reply
from receiver.metrics import CONTENT_TYPE, Labels, exposition

REACHABLE_TTL_S = 1.0  # how long one answer of "is the broker reachable" is reused


class Probe:
    """Whether the broker answers (a TCP connect to a bootstrap address), asked at most once a second."""

    def __init__(self, bootstrap_servers: str) -> None:
        self._link = KafkaLink(bootstrap_servers, {}, 1.0)
        self._at, self._answer = 0.0, False

    def reachable(self) -> bool:
        if time.monotonic() - self._at > REACHABLE_TTL_S:
            self._answer, self._at = self._link.reachable(), time.monotonic()
        return self._answer


def build_app(intake: Intake, probe: Probe, on_start: Callable[[], None] = lambda: None,
              on_stop: Callable[[], None] = lambda: None) -> Starlette:
    state = Status(intake, probe)

    async def webhook(request: Request) -> Response:
        name = str(request.path_params["source"])
        limit = intake.settings.max_body_bytes
        body = await _body(request, limit)
        if body is None:
            reply = intake.refuse(name if name in intake.sources else "unknown", 413, "too_large",
                                  f"body larger than {limit} bytes (AFTERSHOCK_WEBHOOKS__MAX_BODY_BYTES)")
        else:
            reply = await to_thread.run_sync(intake.handle, name, dict(request.headers), body)
        return _json(reply)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "up"})

    async def readyz(request: Request) -> Response:
        return _json(await to_thread.run_sync(state.ready))

    async def metrics(request: Request) -> Response:
        text = exposition(await to_thread.run_sync(state.samples))
        return PlainTextResponse(text, media_type=CONTENT_TYPE)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        on_start()
        try:
            yield
        finally:
            await to_thread.run_sync(on_stop)

    return Starlette(routes=[
        Route("/webhooks/{source}", webhook, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
    ], lifespan=lifespan)


def _json(reply: Reply) -> Response:
    return JSONResponse(reply.body, reply.status, headers=reply.headers)


async def _body(request: Request, limit: int) -> bytes | None:
    """The body, or None as soon as it is known to exceed ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


class Status:
    """Readiness and the metrics that are read from the spool when asked."""

    def __init__(self, intake: Intake, probe: Probe) -> None:
        self.intake, self.probe = intake, probe
        self.spool = intake.emitter.spool
        self.started_with = len(self.spool)  # records already waiting when the receiver started

    def ready(self) -> Reply:
        spool_ok = os.access(self.spool.dir, os.W_OK)
        room = self.spool.max_bytes - self.spool.pending_bytes()
        broker = "reachable" if self.probe.reachable() else "unreachable: accepting into the spool"
        body = {"spool": "writable" if spool_ok else f"not writable: {self.spool.dir}",
                "spool_free_bytes": room, "broker": broker}
        ready = spool_ok and room > self.intake.settings.max_body_bytes
        return Reply(200 if ready else 503, {"status": "ready" if ready else "not ready", **body})

    def samples(self) -> list[tuple[str, Labels, float]]:
        pending = len(self.spool)
        spooled = self.intake.counters.get("events_spooled_total")
        out = self.intake.counters.samples()
        out += [
            ("events_shipped_total", (), float(max(0, self.started_with + spooled - pending))),
            ("spool_pending_records", (), float(pending)),
            ("spool_pending_bytes", (), float(self.spool.pending_bytes())),
            ("lag_seconds", (), self._lag()),
            ("broker_reachable", (), 1.0 if self.probe.reachable() else 0.0),
        ]
        return out

    def _lag(self) -> float:
        oldest = next(iter(self.spool.pending(1)), None)
        if oldest is None:
            return 0.0
        received = _received_at(oldest[1].value, dict(oldest[1].headers))
        return max(0.0, (datetime.now(UTC) - received).total_seconds()) if received else 0.0


def _received_at(value: bytes, headers: dict[str, bytes]) -> datetime | None:
    stamp: Any = headers.get("aftershock.webhook.received_at")
    if stamp is None:
        try:
            stamp = json.loads(value).get("attributes", {}).get("webhook_received_at")
        except (ValueError, AttributeError):
            return None
    try:
        return datetime.fromisoformat(stamp.decode() if isinstance(stamp, bytes) else str(stamp))
    except ValueError:
        return None
