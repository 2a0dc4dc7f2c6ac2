"""One frozen settings object, built once in ``main`` and passed down.

Every field can be set from the environment with the ``AFTERSHOCK_`` prefix and ``__`` between
nesting levels, e.g. ``AFTERSHOCK_KAFKA__BOOTSTRAP_SERVERS=host:9092`` or
``AFTERSHOCK_LAKE__DIR=/data/lake`` (that is how docker-compose configures the services).
``KAFKA_BOOTSTRAP_SERVERS`` is honoured too when the prefixed name is unset.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from aftershock.errors import ConfigError

EVENT_TYPES: tuple[str, ...] = (
    "agent_action",
    "change",
    "deployment",
    "incident",
    "gate_decision",
    "defect_link",
)

_TOPIC_SUFFIX = {
    "agent_action": "agent_actions",
    "change": "changes",
    "deployment": "deployments",
    "incident": "incidents",
    "gate_decision": "gate_decisions",
    "defect_link": "defect_links",
}


def cache_home() -> Path:
    """The per-user cache folder (``$XDG_CACHE_HOME/aftershock``, else ``~/.cache/aftershock``)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "aftershock"


def state_home() -> Path:
    """The per-user state folder (``$XDG_STATE_HOME/aftershock``, else
    ``~/.local/state/aftershock``)."""
    return _state_home()


def _state_home() -> Path:
    return Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "aftershock"


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]
_KAFKA_ENV = "AFTERSHOCK_KAFKA__"


def security_problem(kafka: KafkaSettings) -> str | None:
    """What is wrong with the security settings of ``kafka`` (naming the setting), or None."""
    protocol = kafka.security_protocol
    if kafka.uses_sasl:
        for name in ("sasl_mechanism", "sasl_username", "sasl_password"):
            if not getattr(kafka, name):
                return f"{_KAFKA_ENV}{name.upper()} is required with security_protocol {protocol}"
    else:
        for name in ("sasl_mechanism", "sasl_username", "sasl_password"):
            if getattr(kafka, name) is not None:
                return (f"{_KAFKA_ENV}{name.upper()} is set but security_protocol {protocol} does not "
                        "use SASL: set AFTERSHOCK_KAFKA__SECURITY_PROTOCOL to SASL_SSL or SASL_PLAINTEXT")
    ssl_files = ("ssl_cafile", "ssl_certfile", "ssl_keyfile")
    if not kafka.uses_ssl:
        for name in (*ssl_files, "ssl_password"):
            if getattr(kafka, name) is not None:
                return (f"{_KAFKA_ENV}{name.upper()} is set but security_protocol {protocol} does not "
                        "use TLS: set AFTERSHOCK_KAFKA__SECURITY_PROTOCOL to SSL or SASL_SSL")
        return None
    for name in ssl_files:
        path: Path | None = getattr(kafka, name)
        if path is not None and not path.is_file():
            return f"{_KAFKA_ENV}{name.upper()} names {path}, which is not a readable file"
    if kafka.ssl_keyfile is not None and kafka.ssl_certfile is None:
        return f"{_KAFKA_ENV}SSL_KEYFILE is set without {_KAFKA_ENV}SSL_CERTFILE (the key's certificate)"
    if kafka.ssl_password is not None and kafka.ssl_certfile is None:
        return f"{_KAFKA_ENV}SSL_PASSWORD is set without a client key ({_KAFKA_ENV}SSL_CERTFILE)"
    return None


class KafkaSettings(_Section):
    """How every Kafka client connects (``AFTERSHOCK_KAFKA__...``); the security fields go to the
    clients through :func:`aftershock.kafka_client.client_config`."""

    bootstrap_servers: str | None = Field(
        default=None,
        description="host:port[,host:port]; unset means the local broker of `aftershock kafka start`.",
    )
    topic_prefix: str = Field(default="audit.", description="Prefix of every audit topic.")
    client_id: str = "aftershock"
    request_timeout_ms: int = 15_000
    security_protocol: SecurityProtocol = Field(
        default="PLAINTEXT", description="PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL.")
    ssl_cafile: Path | None = Field(default=None, description="PEM file of the CA(s) that signed the "
                                    "brokers' certificates; unset trusts the system's CAs.")
    ssl_certfile: Path | None = Field(default=None, description="PEM client certificate (chain), for "
                                      "brokers that require client authentication.")
    ssl_keyfile: Path | None = Field(default=None, description="PEM private key of ssl_certfile "
                                     "(may be in ssl_certfile itself).")
    ssl_password: SecretStr | None = Field(default=None, description="Password of an encrypted "
                                           "ssl_keyfile.")
    ssl_check_hostname: bool = Field(default=True, description="Check that the broker's certificate "
                                     "names the host connected to.")
    sasl_mechanism: SaslMechanism | None = Field(
        default=None, description="PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (SASL_* protocols).")
    sasl_username: str | None = Field(default=None, description="SASL user name.")
    sasl_password: SecretStr | None = Field(default=None, description="SASL password.")

    @model_validator(mode="after")
    def _check_security(self) -> KafkaSettings:
        problem = security_problem(self)
        if problem:
            raise ValueError(problem)
        return self

    @property
    def uses_ssl(self) -> bool:
        return self.security_protocol in ("SSL", "SASL_SSL")

    @property
    def uses_sasl(self) -> bool:
        return self.security_protocol in ("SASL_PLAINTEXT", "SASL_SSL")

    def topic_for(self, event_type: str) -> str:
        """The topic that carries events of ``event_type`` (e.g. ``audit.changes``)."""
        return self.topic_prefix + _TOPIC_SUFFIX[event_type]

    def audit_topics(self) -> list[str]:
        return [self.topic_for(t) for t in EVENT_TYPES]

    @property
    def dead_letter_topic(self) -> str:
        return self.topic_prefix + "dead_letter"

    @property
    def heads_topic(self) -> str:
        """Where the worker publishes the signed manifest heads of its lake."""
        return self.topic_prefix + "lake_heads"


class BrokerSettings(_Section):
    """The local single-node broker assembled from Maven Central jars."""

    kafka_version: str = "4.3.1"
    cache_dir: Path = Field(default_factory=lambda: cache_home() / "kafka")
    state_dir: Path = Field(default_factory=lambda: _state_home() / "broker")
    port: int = Field(default=0, description="Client port; 0 picks a free one.")
    controller_port: int = Field(default=0, description="Controller port; 0 picks a free one.")
    heap: str = "512m"
    start_timeout_s: float = 120.0
    stop_timeout_s: float = 30.0
    mvn_timeout_s: float = 600.0


def lake_location(value: object) -> object:
    """A lake folder as a Path; an ``s3://`` URL kept as text (a Path would fold its ``//``)."""
    if isinstance(value, str) and not value.startswith("s3://"):
        return Path(value)
    return value


class LakeSettings(_Section):
    dir: Annotated[Path | str, BeforeValidator(lake_location)] = Field(
        default=Path("lake"), description="Root folder of the Parquet lake, or s3://bucket/prefix "
        "(a lake on object storage).")
    anchor_dir: Path = Field(
        default_factory=lambda: _state_home() / "anchors",
        description="Witness files of the signed manifest heads (one per lake) and the digests of "
        "stored analytics models; must be outside every lake.")
    signing_key: Path | None = Field(
        default=None, description="Ed25519 private key (PEM, `aftershock lake keygen`) that signs "
        "each manifest head; unset: heads are written unsigned. Keep it outside the lake.")
    verify_key: str | None = Field(
        default=None, description="The matching public key (base64, printed by keygen); verify "
        "refuses heads it did not sign. Unset: derived from signing_key if set.")
    anchor_store: str | None = Field(
        default=None, description="Witness of a lake on object storage: s3://bucket/prefix (best "
        "another bucket, with S3 Object Lock) or a folder, shared by every writer of the lake and "
        "outside it. Unset: anchor_dir (one host only).")
    s3_endpoint_url: str | None = Field(
        default=None, description="Endpoint of the S3-compatible service of a lake on s3:// "
        "(e.g. http://minio:9000). Unset: the standard AWS_ENDPOINT_URL, else AWS itself; region "
        "and credentials always come from the usual AWS chain.")
    iceberg_catalog: str | None = Field(
        default=None, description="Catalog of the lake's Iceberg tables (`aftershock lake iceberg`): "
        "a SQLAlchemy URL (SQL catalog), an http(s) URL (REST catalog) or `glue`. Unset: SQLite "
        "in <lake>/_iceberg/catalog.db, or under the state folder for a lake on s3://.")
    iceberg_namespace: str = Field(
        default="aftershock", min_length=1, description="Namespace of the lake's Iceberg tables.")
    s3_reader: Literal["pyarrow", "s3fs"] = Field(
        default="pyarrow", description="How readers (report, postmortem, rules, query, the "
        "dashboard) read the Parquet objects of a lake on s3://: pyarrow's S3 filesystem, or "
        "s3fs (bench/object_store.py times both).")
    cache_dir: Path | None = Field(
        default=None, description="Local folder of what readers derive from a lake on object "
        "storage (the stored analytics model, the dashboard's rebuild lock and log), one "
        "subfolder per lake. Unset: $XDG_CACHE_HOME/aftershock/lakes (~/.cache/...).")
    replaced_grace_s: float = Field(
        default=3600.0, ge=0, description="On a lake on s3://, objects a compaction replaced are "
        "kept this many seconds after its entry committed (readers on other hosts may still read "
        "an older snapshot); the sweep of `aftershock compact` and of a worker deletes them after.")


class IngestSettings(_Section):
    """The ingest worker and the landing code (``AFTERSHOCK_INGEST__...``)."""

    group_id: str = Field(default="aftershock-ingest", description="Kafka consumer group.")
    instance_id: str | None = Field(default=None, description="Static group membership id (e.g. "
                                    "the host name): a restarted worker takes its partitions "
                                    "back at once instead of after the session timeout.")
    batch_max_records: int = Field(default=10_000, ge=1, description="Flush a partition's batch "
                                   "at this many records.")
    batch_max_bytes: int = Field(default=32 * 1024 * 1024, ge=1024, description="... or at this "
                                 "many bytes of record values.")
    batch_max_age_s: float = Field(default=5.0, gt=0, description="... or when its first record "
                                   "is this old.")
    max_record_bytes: int = Field(default=1024 * 1024, ge=1, description="Larger record values "
                                  "are dead-lettered as oversized.")
    max_json_depth: int = Field(default=64, ge=8, description="Records whose objects and arrays "
                                "nest deeper are dead-lettered as too_deep before any parser "
                                "sees them.")
    timestamp_max_ahead_s: float = Field(default=86_400.0, ge=0, description="A timestamp later "
                                         "than the record's arrival plus this is implausible "
                                         "(dead-lettered).")
    timestamp_max_age_days: float = Field(default=7305.0, gt=0, description="A timestamp earlier "
                                          "than the record's arrival minus this many days is "
                                          "implausible (dead-lettered).")
    dead_letter_max_bytes: int = Field(default=1_000_000, ge=4096, description="Largest "
                                       "dead-letter topic record (key, value and headers): a "
                                       "larger raw value is truncated with a marker, its SHA-256 "
                                       "and length kept in headers.")
    dead_letter_timeout_s: float = Field(default=30.0, gt=0, description="How long a dead letter "
                                         "may take to reach its topic before it is spooled.")
    dead_letter_retry_s: float = Field(default=30.0, gt=0, description="Seconds between attempts "
                                       "to send spooled dead letters.")
    dead_letter_spool_dir: Path | None = Field(default=None, description="Where dead letters wait "
                                               "while their topic is unreachable (default: "
                                               "<lake>/_dead_letter_spool).")
    bad_data: Literal["dead_letter", "fail"] = Field(
        default="dead_letter", description="Policy for bad records: dead_letter (land a row and "
        "send to the dead-letter topic, keep going) or fail (stop the worker).")
    buffer_max_records: int = Field(default=20_000, ge=1, description="Flush the largest batch "
                                    "when all partitions together buffer this many records.")
    backlog_partitions: int = Field(default=2, ge=0, description="While partitions lag by more "
                                    "than a batch, read this many of them at a time (full batches, "
                                    "fewer files); 0 reads all at once.")
    isolation_level: Literal["read_committed", "read_uncommitted"] = Field(
        default="read_committed", description="Which records of transactional producers the "
        "worker reads: read_committed (default) only those of committed transactions (records of "
        "aborted transactions never land; those of an open one wait until it ends); "
        "read_uncommitted every record, whatever becomes of its transaction.")
    poll_timeout_ms: int = Field(default=500, ge=1)
    max_poll_records: int = Field(default=5_000, ge=1)
    fetch_max_bytes: int = Field(default=4 * 1024 * 1024, ge=1024, description="Most bytes one "
                                 "fetch brings in (bounds the consumer's prefetch memory).")
    session_timeout_ms: int = Field(default=10_000, ge=1000, description="Group session timeout: "
                                    "how soon a dead worker's partitions move to another.")
    heartbeat_interval_ms: int = Field(default=1_000, ge=100)
    progress_interval_s: float = Field(default=10.0, gt=0, description="Seconds between progress "
                                       "lines on stderr.")
    row_group_rows: int = Field(default=122_880, ge=1024, description="Rows per Parquet row "
                                "group (compaction output).")
    compact_target_rows: int = Field(default=1_000_000, ge=1, description="Rows per compacted "
                                     "file at most.")
    compact_min_files: int = Field(default=2, ge=2, description="Compact a (type, date) group "
                                   "only when it has at least this many files.")


MEMORY_SIZE = re.compile(r"\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)", re.IGNORECASE)


def memory_size(text: str) -> str:
    """``text`` as DuckDB's memory sizes take it (e.g. ``2GB``, ``512MiB``), else ValueError."""
    value = text.strip()
    if not MEMORY_SIZE.fullmatch(value):
        raise ValueError(f"{text!r} is not a memory size: give a number and a unit, e.g. 2GB, "
                         "512MB or 1.5GiB")
    return value


class QuerySettings(_Section):
    """Bounds of every read-only query session (``aftershock query``, ``AFTERSHOCK_QUERY__...``)."""

    timeout_s: float = Field(default=60.0, gt=0, description="Stop a query after this many "
                             "seconds of wall-clock time.")
    memory_limit: str = Field(default="2GB", description="Most memory DuckDB may use for one "
                              "session (e.g. 2GB, 512MB); nothing spills to disk.")
    threads: int | None = Field(default=None, ge=1, description="DuckDB worker threads; unset "
                                "means one per core.")

    @field_validator("memory_limit")
    @classmethod
    def _memory_size(cls, value: str) -> str:
        return memory_size(value)


WEBHOOK_SOURCES: tuple[str, ...] = (
    "github", "gitlab", "pagerduty", "opsgenie", "cdevents", "claude-code", "aftershock",
)
_LOOPBACK = ("127.0.0.1", "::1", "localhost")


def secrets_of(value: SecretStr | None) -> list[bytes]:
    """The comma-separated secrets of a rotation setting (several are valid at once), as bytes."""
    if value is None:
        return []
    return [part.strip().encode() for part in value.get_secret_value().split(",") if part.strip()]


class WebhooksSettings(_Section):
    """The webhook receiver, ``aftershock serve webhooks`` (``AFTERSHOCK_WEBHOOKS__...``).

    Secret settings may hold several comma-separated values: any of them is accepted (rotation).
    """

    host: str = Field(default="127.0.0.1", description="Address to listen on.")
    port: int = Field(default=8787, ge=0, le=65535, description="Port to listen on.")
    github_secret: SecretStr | None = Field(default=None, description="GitHub webhook secret(s): "
                                            "X-Hub-Signature-256 is checked with each.")
    gitlab_token: SecretStr | None = Field(default=None, description="GitLab secret token(s), "
                                           "compared with X-Gitlab-Token.")
    pagerduty_secret: SecretStr | None = Field(default=None, description="PagerDuty v3 "
                                               "subscription secret(s) (X-PagerDuty-Signature).")
    opsgenie_header: str | None = Field(default=None, description="Name of the custom header the "
                                        "Opsgenie webhook integration sends with OPSGENIE_TOKEN.")
    opsgenie_token: SecretStr | None = Field(default=None, description="Value(s) of that header.")
    cdevents_token: SecretStr | None = Field(default=None, description="Bearer token(s) of CDEvents "
                                             "senders (Authorization: Bearer ...).")
    claude_code_token: SecretStr | None = Field(default=None, description="Bearer token(s) of "
                                                "Claude Code hook forwards.")
    aftershock_token: SecretStr | None = Field(default=None, description="Bearer token(s) of "
                                               "senders of native events.")
    spool_dir: Path = Field(default_factory=lambda: _state_home() / "webhooks",
                            description="Spool and delivery-id store (fsync'd before a 2xx).")
    spool_max_bytes: int = Field(default=256 * 1024 * 1024, ge=4096, description="When the spool "
                                 "holds this much undelivered, deliveries get 503 + Retry-After.")
    max_body_bytes: int = Field(default=4 * 1024 * 1024, ge=1024, description="Larger bodies get "
                                "413.")
    dedupe_horizon: timedelta = Field(default=timedelta(hours=72), description="How long a "
                                      "delivery id is remembered (seconds or ISO 8601, e.g. P3D).")
    allow_unsigned: str = Field(default="", description="Sources accepted without a secret "
                                "(comma-separated; loopback only, for demos).")
    retry_after_s: int = Field(default=60, ge=1, description="Retry-After of a 503 (spool full).")

    @property
    def unsigned_sources(self) -> tuple[str, ...]:
        return tuple(part.strip().lower() for part in self.allow_unsigned.split(",") if part.strip())

    @model_validator(mode="after")
    def _check(self) -> WebhooksSettings:
        unknown = sorted(set(self.unsigned_sources) - set(WEBHOOK_SOURCES))
        if unknown:
            raise ValueError(f"AFTERSHOCK_WEBHOOKS__ALLOW_UNSIGNED names unknown sources {unknown}: "
                             f"use some of {', '.join(WEBHOOK_SOURCES)}")
        if (self.opsgenie_header is None) != (self.opsgenie_token is None):
            raise ValueError("AFTERSHOCK_WEBHOOKS__OPSGENIE_HEADER and AFTERSHOCK_WEBHOOKS__OPSGENIE_TOKEN "
                             "go together: set both or neither")
        return self

    def unsigned_problem(self, host: str) -> str | None:
        """Why ``allow_unsigned`` must not be used on ``host`` (only loopback), or None."""
        if self.unsigned_sources and host not in _LOOPBACK:
            return (f"AFTERSHOCK_WEBHOOKS__ALLOW_UNSIGNED ({', '.join(self.unsigned_sources)}) is for "
                    f"loopback only, but the receiver would listen on {host}: configure the "
                    "sources' secrets, or listen on 127.0.0.1")
        return None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="AFTERSHOCK_", env_nested_delimiter="__", frozen=True, extra="ignore"
    )

    kafka: KafkaSettings = KafkaSettings()
    broker: BrokerSettings = BrokerSettings()
    lake: LakeSettings = Field(default_factory=LakeSettings)  # its defaults read XDG_STATE_HOME now
    ingest: IngestSettings = IngestSettings()
    query: QuerySettings = QuerySettings()
    webhooks: WebhooksSettings = Field(default_factory=WebhooksSettings)  # reads XDG_STATE_HOME


def load_settings() -> Settings:
    """Build the settings from the environment (``KAFKA_BOOTSTRAP_SERVERS`` as a fallback); an
    invalid one raises a :class:`ConfigError` naming its variable (exit 2)."""
    try:
        settings = Settings()
    except ValidationError as exc:
        raise ConfigError(describe_settings_error(exc)) from None
    except SettingsError as exc:  # a section given as JSON that does not parse
        field = re.search(r'field "([^"]+)"', str(exc))
        raise ConfigError(_invalid_setting((field.group(1),) if field else (),
                                           f"not valid JSON ({exc.__cause__ or exc})",
                                           "set a valid value or unset it")) from None
    fallback = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if settings.kafka.bootstrap_servers is None and fallback:
        kafka = settings.kafka.model_copy(update={"bootstrap_servers": fallback})
        settings = settings.model_copy(update={"kafka": kafka})
    return settings


def describe_settings_error(exc: ValidationError) -> str:
    """``invalid setting NAME (environment): reason: what to do`` for the first bad setting, never
    echoing a value (some settings are secrets)."""
    first = exc.errors(include_input=False, include_url=False)[0]
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    message = first["msg"].removeprefix("Value error, ")
    named = re.match(r"AFTERSHOCK_[A-Z0-9_]+", message)
    if named:  # a check across fields names the variable itself
        return _invalid_setting((), message + more, "fix or unset it", name=named.group(0))
    unknown = first["type"] == "extra_forbidden"
    return _invalid_setting(tuple(str(part) for part in first["loc"]),
                            ("no such setting" if unknown else message) + more,
                            "unset it" if unknown else "set a valid value or unset it")


def _invalid_setting(loc: tuple[str, ...], reason: str, todo: str, name: str | None = None) -> str:
    """NAME is the variable as it is set (names are case-insensitive; a section may be set as one
    JSON variable)."""
    inner = ""
    if name is None:
        names = {key.upper(): key for key in os.environ}
        for length in range(len(loc), 0, -1):
            name = names.get(("AFTERSHOCK_" + "__".join(loc[:length])).upper())
            if name is not None:
                inner = ".".join(loc[length:])
                break
        else:
            name = ("AFTERSHOCK_" + "__".join(loc)).upper()
    return (f"invalid setting {name} (environment): {inner + ': ' if inner else ''}{reason}: {todo} "
            '(the settings: README.md, "Configuration")')
