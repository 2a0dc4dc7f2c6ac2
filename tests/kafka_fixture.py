"""One real Kafka broker per test session.

Chosen in this order: ``KAFKA_BOOTSTRAP_SERVERS`` if set; testcontainers' Kafka module if a Docker
engine answers; otherwise the local jar broker (``aftershock.broker``). If none can be had, the
Kafka tests fail with the reason: they never skip.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

EXTERNAL = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
CONTAINER_IMAGE = "confluentinc/cp-kafka:8.1.0"  # Apache Kafka 4.1 line, KRaft


def docker_engine_answers() -> bool:
    """True when a Docker engine answers ``GET /_ping`` (the CLI may exist without one)."""
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    try:
        if host.startswith("unix://"):
            sock = socket.socket(socket.AF_UNIX)
            address: str | tuple[str, int] = host.removeprefix("unix://")
        else:
            name, _, port = host.split("://")[-1].partition(":")
            sock, address = socket.socket(), (name, int(port or 2375))
        with sock:
            sock.settimeout(3)
            sock.connect(address)
            sock.sendall(b"GET /_ping HTTP/1.0\r\n\r\n")
            return b"OK" in sock.recv(1024)
    except OSError:
        return False


@contextmanager
def container_broker() -> Iterator[str]:
    from testcontainers.kafka import KafkaContainer

    with KafkaContainer(CONTAINER_IMAGE).with_kraft() as kafka:
        yield kafka.get_bootstrap_server()


@contextmanager
def local_broker(state_dir: Path) -> Iterator[str]:
    from aftershock.broker.local import LocalBroker
    from aftershock.settings import BrokerSettings

    broker = LocalBroker(BrokerSettings(state_dir=state_dir))
    state, _ = broker.start()
    try:
        yield state.bootstrap
    finally:
        broker.stop()


@contextmanager
def session_broker(state_dir: Path) -> Iterator[str]:
    if EXTERNAL:
        yield EXTERNAL
    elif docker_engine_answers():
        with container_broker() as bootstrap:
            yield bootstrap
    else:
        with local_broker(state_dir) as bootstrap:
            yield bootstrap
