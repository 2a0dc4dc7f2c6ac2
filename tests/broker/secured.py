"""The secured local broker of the security tests and the settings of each way to reach it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aftershock.broker.local import LocalBroker
from aftershock.broker.secured import Secured
from aftershock.settings import BrokerSettings

MODES = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "SSL")  # three SASL_SSL mechanisms, client cert


@contextmanager
def secured_broker(state_dir: Path) -> Iterator[Secured]:
    """A local broker in its own state folder with the SASL_SSL and SSL listeners."""
    broker = LocalBroker(BrokerSettings(state_dir=state_dir, heap="384m"), secured=True)
    broker.start()
    try:
        yield broker.secured_listeners()
    finally:
        broker.stop()


def security_env(secured: Secured, mode: str, sasl_password: str | None = None) -> dict[str, str]:
    """``AFTERSHOCK_KAFKA__*`` variables reaching ``secured`` by ``mode`` (a SASL mechanism over
    SASL_SSL, or SSL with the client certificate); ``sasl_password`` replaces the right one."""
    tls, prefix = secured.tls, "AFTERSHOCK_KAFKA__"
    if mode == "SSL":
        return {f"{prefix}BOOTSTRAP_SERVERS": secured.ssl_bootstrap, f"{prefix}SECURITY_PROTOCOL": "SSL",
                f"{prefix}SSL_CAFILE": str(tls.ca_pem), f"{prefix}SSL_CERTFILE": str(tls.client_cert),
                f"{prefix}SSL_KEYFILE": str(tls.client_key),
                f"{prefix}SSL_PASSWORD": tls.secrets.key_password}
    user = secured.user(mode)
    return {f"{prefix}BOOTSTRAP_SERVERS": secured.sasl_ssl_bootstrap,
            f"{prefix}SECURITY_PROTOCOL": "SASL_SSL", f"{prefix}SSL_CAFILE": str(tls.ca_pem),
            f"{prefix}SASL_MECHANISM": mode, f"{prefix}SASL_USERNAME": user.username,
            f"{prefix}SASL_PASSWORD": sasl_password or user.password}
