"""The broker's ``server.properties``: one node, broker + controller, loopback only."""

from __future__ import annotations

import base64
import socket
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aftershock.broker.secured import Secured


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def port_in_use(port: int) -> bool:
    """True when another socket listens on ``port`` (TIME_WAIT leftovers do not count: Kafka
    binds with SO_REUSEADDR too)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def cluster_id() -> str:
    """A cluster id in Kafka's own format (URL-safe base64 of 16 bytes, never starting '-')."""
    while True:
        cid = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if not cid.startswith("-"):
            return cid


def server_properties(port: int, controller_port: int, data_dir: Path,
                      secured: Secured | None = None) -> str:
    """Single-node KRaft settings sized for a small machine and replication factor 1; with
    ``secured``, SASL_SSL and SSL listeners besides the plaintext one."""
    extra = secured.listeners() if secured else {}
    advertised = {"PLAINTEXT": f"127.0.0.1:{port}", **extra}
    lines = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.bootstrap.servers": f"127.0.0.1:{controller_port}",
        "controller.listener.names": "CONTROLLER",
        "listeners": _listeners({**advertised, "CONTROLLER": f"127.0.0.1:{controller_port}"}),
        "advertised.listeners": _listeners(advertised),
        "listener.security.protocol.map": ",".join(
            ["PLAINTEXT:PLAINTEXT", "CONTROLLER:PLAINTEXT", *(f"{name}:{name}" for name in extra)]),
        "inter.broker.listener.name": "PLAINTEXT",
        "log.dirs": str(data_dir),
        "num.partitions": "1",
        "offsets.topic.replication.factor": "1",
        "offsets.topic.num.partitions": "4",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "transaction.state.log.num.partitions": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",
        # the log cleaner allocates this at start (default 128 MiB): keep small heaps alive
        "log.cleaner.dedupe.buffer.size": "2097152",
        "num.network.threads": "2",
        "num.io.threads": "2",
        "message.max.bytes": "2097152",
        "auto.create.topics.enable": "true",
        **(secured.properties() if secured else {}),
    }
    return "".join(f"{key}={value}\n" for key, value in lines.items())


def _listeners(addresses: dict[str, str]) -> str:
    return ",".join(f"{name}://{address}" for name, address in addresses.items())
