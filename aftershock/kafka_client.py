"""The connection and security arguments every kafka-python client of the project is built with.

``KafkaProducer``, ``KafkaConsumer`` and ``KafkaAdminClient`` all take their bootstrap servers,
``security_protocol`` and the TLS / SASL arguments from :func:`client_config`; each call site adds
only what is its own (acks, group, timeouts). :func:`connect` builds a client and turns a failure
to connect or authenticate into one :class:`BrokerError` line naming the broker and the settings
to check, never a secret.

kafka-python retries a refused connection until its bootstrap timeout and then reports only the
timeout; the refusal itself (bad credentials, a certificate the broker rejects) reaches its log,
but not always: a broker that refuses SASL credentials answers and closes at once, and
kafka-python may see the close before the answer. So :func:`connect` listens to the ``kafka``
logger while the client bootstraps, and when it saw no refusal it connects once itself (TCP, and
the TLS handshake with the same files): a broker that accepts that but not the client's SASL login
refused the credentials.
"""

from __future__ import annotations

import logging
import socket
import ssl
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from aftershock.errors import BrokerError
from aftershock.settings import KafkaSettings

T = TypeVar("T")
_SECRET_KEYS = frozenset({"ssl_password", "sasl_plain_password"})
_MASK = "**********"


class ClientConfig(dict[str, Any]):
    """kafka-python keyword arguments; its repr masks the passwords it has to carry in clear."""

    def __repr__(self) -> str:
        shown = {key: _MASK if key in _SECRET_KEYS and value else value for key, value in self.items()}
        return f"ClientConfig({shown!r})"

    __str__ = __repr__


class CredentialsRefused(BrokerError):
    """The broker refused the client's credentials or certificate (retrying will not help)."""


def client_config(kafka: KafkaSettings, bootstrap: str) -> ClientConfig:
    """``bootstrap_servers`` and the security arguments of a kafka-python client for ``kafka``."""
    config = ClientConfig(bootstrap_servers=bootstrap, security_protocol=kafka.security_protocol)
    if kafka.uses_ssl:
        config.update(ssl_check_hostname=kafka.ssl_check_hostname,
                      ssl_cafile=_path(kafka.ssl_cafile), ssl_certfile=_path(kafka.ssl_certfile),
                      ssl_keyfile=_path(kafka.ssl_keyfile),
                      ssl_password=kafka.ssl_password.get_secret_value() if kafka.ssl_password else None)
    if kafka.uses_sasl and kafka.sasl_password is not None:
        config.update(sasl_mechanism=kafka.sasl_mechanism, sasl_plain_username=kafka.sasl_username,
                      sasl_plain_password=kafka.sasl_password.get_secret_value())
    return config


def connect(factory: Callable[..., T], config: Mapping[str, Any], **kwargs: Any) -> T:
    """``factory(**config, **kwargs)`` (a kafka-python client); a client that cannot bootstrap
    raises :class:`CredentialsRefused` or :class:`BrokerError` with one line saying why."""
    from kafka.errors import KafkaConfigurationError, KafkaError

    _check_client_key(config)
    with _refusals() as seen:
        try:
            return factory(**config, **kwargs)
        except KafkaConfigurationError:
            raise  # a wrong client setting: no connection was tried
        except KafkaError as exc:
            cause: BaseException = seen[-1] if seen else exc
    raise explain(config, cause, refusal_seen=bool(seen))


def explain(config: Mapping[str, Any], exc: BaseException, refusal_seen: bool = False) -> BrokerError:
    """The one-line error of a client that could not bootstrap with ``config``; when kafka-python
    said nothing about a refusal, a broker that completes the connection (and TLS) but not the SASL
    login has refused the credentials."""
    if not refusal_seen and config.get("sasl_mechanism") and _answers(config):
        exc = _SaslRefused()
    return connection_error(config, exc)


def is_bootstrap_failure(exc: BaseException) -> bool:
    """Whether ``exc`` says a client never reached any broker (rather than failing later)."""
    from kafka.errors import KafkaTimeoutError, NoBrokersAvailable

    return isinstance(exc, NoBrokersAvailable) or (
        isinstance(exc, KafkaTimeoutError) and "bootstrap" in str(exc).lower())


def describe(config: Mapping[str, Any]) -> str:
    """Where and how a client connects, without secrets (``host:port, SASL_SSL, SCRAM-SHA-256 as
    user 'svc'``)."""
    parts = [str(config.get("bootstrap_servers")), str(config.get("security_protocol", "PLAINTEXT"))]
    if config.get("sasl_mechanism"):
        parts.append(f"{config['sasl_mechanism']} as user {config.get('sasl_plain_username')!r}")
    if config.get("ssl_certfile"):
        parts.append(f"client certificate {config['ssl_certfile']}")
    return ", ".join(parts)


def connection_error(config: Mapping[str, Any], exc: BaseException) -> BrokerError:
    """The one-line error of a client that could not bootstrap; ``exc`` is the refusal kafka-python
    logged, if any, else its own error."""
    where = describe(config)
    if _is_sasl_refusal(exc) or isinstance(exc, _SaslRefused):
        return CredentialsRefused(
            f"Kafka refused the SASL credentials ({where}): check AFTERSHOCK_KAFKA__SASL_USERNAME, "
            "SASL_PASSWORD and SASL_MECHANISM (the user must exist for that mechanism)")
    if _is_tls_refusal(exc):
        return CredentialsRefused(
            f"the TLS handshake with Kafka failed ({where}; {_first_line(exc)}): check "
            "AFTERSHOCK_KAFKA__SSL_CAFILE, SSL_CERTFILE / SSL_KEYFILE (a client certificate the "
            "broker trusts) and that the listener speaks TLS")
    return BrokerError(f"cannot reach Kafka ({where}; {type(exc).__name__}): check that the broker "
                       "runs and that AFTERSHOCK_KAFKA__BOOTSTRAP_SERVERS / SECURITY_PROTOCOL match "
                       "its listener")


class _SaslRefused(Exception):
    """The broker completed the connection but not the SASL login."""


def _answers(config: Mapping[str, Any], timeout_s: float = 5.0) -> bool:
    """Whether the first bootstrap server completes a TCP connection and, for SSL protocols, the
    TLS handshake with the configured CA, hostname check and client certificate."""
    host, _, port = str(config["bootstrap_servers"]).split(",")[0].strip().rpartition(":")
    host = host.strip("[]") or "localhost"
    try:
        with socket.create_connection((host, int(port)), timeout_s) as sock:
            if str(config.get("security_protocol")).endswith("SSL"):
                with _tls_context(config).wrap_socket(sock, server_hostname=host):
                    pass
    except (OSError, ValueError):
        return False
    return True


def _tls_context(config: Mapping[str, Any]) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=config.get("ssl_cafile"))
    context.check_hostname = bool(config.get("ssl_check_hostname", True))
    if config.get("ssl_certfile"):
        context.load_cert_chain(config["ssl_certfile"], config.get("ssl_keyfile"),
                                config.get("ssl_password"))
    return context


def _check_client_key(config: Mapping[str, Any]) -> None:
    """Load the client certificate and key here, so a wrong key password is named at once."""
    certfile = config.get("ssl_certfile")
    if not certfile or config.get("security_protocol") not in ("SSL", "SASL_SSL"):
        return
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_cert_chain(
            certfile, config.get("ssl_keyfile"), config.get("ssl_password"))
    except (ssl.SSLError, OSError) as exc:
        raise CredentialsRefused(
            f"the client certificate and key cannot be loaded ({describe(config)}; {type(exc).__name__}): "
            "check AFTERSHOCK_KAFKA__SSL_CERTFILE, SSL_KEYFILE and SSL_PASSWORD (the key's password)"
        ) from None


@contextmanager
def _refusals() -> Iterator[list[BaseException]]:
    """The refusals kafka-python logs meanwhile (its log records carry the exceptions)."""
    seen: list[BaseException] = []
    handler = _Collector(seen)
    logger = logging.getLogger("kafka")
    logger.addHandler(handler)
    try:
        yield seen
    finally:
        logger.removeHandler(handler)


class _Collector(logging.Handler):
    """Keeps the refusals among the exceptions in kafka-python's log records; having a handler on
    the ``kafka`` logger also keeps its bootstrap retries off stderr (Python's last-resort
    handler prints warnings of loggers that have none)."""

    def __init__(self, seen: list[BaseException]) -> None:
        super().__init__(logging.DEBUG)
        self.seen = seen

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args if isinstance(record.args, tuple) else ()
        self.seen.extend(a for a in args if isinstance(a, BaseException)
                         and (_is_sasl_refusal(a) or _is_tls_refusal(a)))


def _is_sasl_refusal(exc: BaseException) -> bool:
    from kafka.errors import SaslAuthenticationFailedError

    return isinstance(exc, SaslAuthenticationFailedError)


def _is_tls_refusal(exc: BaseException) -> bool:
    """An ``ssl`` error, or kafka-python's connection error that carries one's text."""
    return isinstance(exc, ssl.SSLError) or "[SSL" in str(exc)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:160] if text else type(exc).__name__


def _path(path: Any) -> str | None:
    return None if path is None else str(path)
