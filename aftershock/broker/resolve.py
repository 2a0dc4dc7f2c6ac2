"""Which broker a command talks to."""

from __future__ import annotations

import sys

from aftershock.broker.local import LocalBroker
from aftershock.errors import BrokerError
from aftershock.settings import Settings


def bootstrap_servers(settings: Settings, start_local: bool = False) -> str:
    """The configured bootstrap servers, else the local broker's (started if ``start_local``)."""
    if settings.kafka.bootstrap_servers:
        return settings.kafka.bootstrap_servers
    broker = LocalBroker(settings.broker, lambda msg: print(msg, file=sys.stderr, flush=True))
    if start_local:
        return broker.start()[0].bootstrap
    state = broker.status()
    if state is None:
        raise BrokerError(
            "no Kafka broker: run `aftershock kafka start`, or set "
            "AFTERSHOCK_KAFKA__BOOTSTRAP_SERVERS (or KAFKA_BOOTSTRAP_SERVERS) to host:port"
        )
    return state.bootstrap
