"""The local broker's secured listeners, next to its plaintext one (which stays as it is).

``SASL_SSL`` accepts PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512, one user per mechanism (so a client
that used another mechanism than it asked for would be refused); ``SSL`` requires a client
certificate signed by the local CA (:mod:`aftershock.broker.tls`). The users' random passwords
are kept in ``<state_dir>/sasl.json`` (mode 0600); the SCRAM users are created when the storage
is formatted (``kafka-storage format --add-scram``), so a state folder formatted without them
cannot serve the secured listeners.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from aftershock.broker.tls import TlsFiles

MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
_SCRAM_ITERATIONS = 4096


@dataclass(frozen=True)
class SaslUser:
    mechanism: str
    username: str
    password: str

    def __repr__(self) -> str:
        return f"SaslUser(mechanism={self.mechanism!r}, username={self.username!r}, password='***')"


@dataclass(frozen=True)
class Secured:
    """Ports, certificates and users of the secured listeners."""

    sasl_ssl_port: int
    ssl_port: int
    tls: TlsFiles
    users: tuple[SaslUser, ...]

    @property
    def sasl_ssl_bootstrap(self) -> str:
        return f"127.0.0.1:{self.sasl_ssl_port}"

    @property
    def ssl_bootstrap(self) -> str:
        return f"127.0.0.1:{self.ssl_port}"

    def user(self, mechanism: str) -> SaslUser:
        return next(u for u in self.users if u.mechanism == mechanism)

    def listeners(self) -> dict[str, str]:
        """``listeners`` entries (name -> address) added to the broker's."""
        return {"SASL_SSL": self.sasl_ssl_bootstrap, "SSL": self.ssl_bootstrap}

    def properties(self) -> dict[str, str]:
        """The server.properties lines of the TLS stores, SASL mechanisms and client auth."""
        tls, password = self.tls, self.tls.secrets.store_password
        plain_users = " ".join(f'user_{u.username}="{u.password}"' for u in self.users
                               if u.mechanism == "PLAIN")
        scram = "org.apache.kafka.common.security.scram.ScramLoginModule required;"
        return {
            "ssl.keystore.type": "PKCS12",
            "ssl.keystore.location": str(tls.broker_keystore),
            "ssl.keystore.password": password,
            "ssl.key.password": password,
            "ssl.truststore.type": "PKCS12",
            "ssl.truststore.location": str(tls.truststore),
            "ssl.truststore.password": password,
            "listener.name.ssl.ssl.client.auth": "required",
            "sasl.enabled.mechanisms": ",".join(MECHANISMS),
            "listener.name.sasl_ssl.sasl.enabled.mechanisms": ",".join(MECHANISMS),
            "listener.name.sasl_ssl.plain.sasl.jaas.config":
                f"org.apache.kafka.common.security.plain.PlainLoginModule required {plain_users};",
            "listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config": scram,
            "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config": scram,
        }

    def format_args(self) -> list[str]:
        """``kafka-storage format`` arguments creating the SCRAM users."""
        args = []
        for user in self.users:
            if user.mechanism.startswith("SCRAM-"):
                args += ["--add-scram", f"{user.mechanism}=[name={user.username},"
                         f"password={user.password},iterations={_SCRAM_ITERATIONS}]"]
        return args


def ensure_users(path: Path) -> tuple[SaslUser, ...]:
    """The SASL users kept in ``path``, made (random passwords) on first use."""
    if path.exists():
        return tuple(SaslUser(**u) for u in json.loads(path.read_text()))
    users = [SaslUser(m, f"aftershock-{m.lower()}", secrets.token_urlsafe(18)) for m in MECHANISMS]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump([u.__dict__ for u in users], out)
    return tuple(users)
