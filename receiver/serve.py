"""``aftershock serve webhooks``: the receiver on uvicorn, its spool, emitter and delivery-id store."""

from __future__ import annotations

import argparse
import signal
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from aftershock.errors import ConfigError, ExitCode
from aftershock.settings import Settings

if TYPE_CHECKING:
    from starlette.applications import Starlette

SPOOL = "spool"  # the emitter's spool, under the spool folder
STORE = "deliveries.sqlite"


def run(args: argparse.Namespace, settings: Settings) -> int:
    hooks = settings.webhooks
    host = args.host or hooks.host
    port = hooks.port if args.port is None else args.port
    problem = hooks.unsigned_problem(host)
    if problem:
        raise ConfigError(problem)
    sock = _bind(host, port)
    app = _app(settings, sock)
    import uvicorn

    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on",
                            timeout_graceful_shutdown=10)
    # uvicorn stops gracefully on SIGTERM, then raises it again to the handler it found: a no-op, so
    # a stop by SIGTERM (the spool flushed or kept) exits 0; Ctrl-C still ends in exit 130
    previous = signal.signal(signal.SIGTERM, lambda *_: None)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        signal.signal(signal.SIGTERM, previous)
    return int(ExitCode.OK)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(f"cannot listen on {host}:{port} (--host/--port): {exc.strerror}: choose "
                          "another port or stop what uses it") from None
    return sock


def _app(settings: Settings, sock: socket.socket) -> Starlette:
    from aftershock.broker.resolve import bootstrap_servers
    from aftershock.sdk.emitter import Emitter
    from receiver.app import Probe, build_app
    from receiver.dedupe import DeliveryStore
    from receiver.intake import Intake

    hooks = settings.webhooks
    spool_dir = _spool_dir(hooks.spool_dir)
    bootstrap = bootstrap_servers(settings)
    store = DeliveryStore(spool_dir / STORE, hooks.dedupe_horizon)
    emitter = Emitter.from_settings(settings, spool_dir / SPOOL, client_id="aftershock-webhooks",
                                    durability="spool_first", spool_max_bytes=hooks.spool_max_bytes)
    intake = Intake(hooks, emitter, store, settings.kafka.dead_letter_topic)
    where = sock.getsockname()
    unsigned = f"; unsigned allowed: {', '.join(hooks.unsigned_sources)}" if hooks.unsigned_sources else ""

    def started() -> None:
        print(f"webhooks: listening on http://{where[0]}:{where[1]} (spool {spool_dir}, broker "
              f"{bootstrap}{unsigned})", file=sys.stderr, flush=True)

    def stopped() -> None:
        try:
            emitter.close()
        finally:
            store.close()
        left = emitter.spooled
        print(f"webhooks: stopped; {left} records wait in the spool" if left else "webhooks: stopped",
              file=sys.stderr, flush=True)

    return build_app(intake, Probe(bootstrap), started, stopped)


def _spool_dir(path: Path) -> Path:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create the spool folder {path} (AFTERSHOCK_WEBHOOKS__SPOOL_DIR): "
                          f"{exc.strerror}: choose a writable folder") from None
    probe = path / ".writable"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise ConfigError(f"spool folder {path} is not writable (AFTERSHOCK_WEBHOOKS__SPOOL_DIR): "
                          f"{exc.strerror}: choose a writable folder") from None
    return path
