"""One frozen settings object, built once in ``main`` and passed down.

Every field can be set from the environment with the ``AFTERSHOCK_`` prefix and ``__`` between
nesting levels, e.g. ``AFTERSHOCK_KAFKA__BOOTSTRAP_SERVERS=host:9092`` or
``AFTERSHOCK_LAKE__DIR=/data/lake`` (that is how docker-compose configures the services).
``KAFKA_BOOTSTRAP_SERVERS`` is honoured too when the prefixed name is unset.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

EVENT_TYPES: tuple[str, ...] = (
    "agent_action",
    "change",
    "deployment",
    "incident",
    "gate_decision",
)

_TOPIC_SUFFIX = {
    "agent_action": "agent_actions",
    "change": "changes",
    "deployment": "deployments",
    "incident": "incidents",
    "gate_decision": "gate_decisions",
}


def _cache_home() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "aftershock"


def _state_home() -> Path:
    return Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "aftershock"


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class KafkaSettings(_Section):
    bootstrap_servers: str | None = Field(
        default=None,
        description="host:port[,host:port]; unset means the local broker of `aftershock kafka start`.",
    )
    topic_prefix: str = Field(default="audit.", description="Prefix of every audit topic.")
    client_id: str = "aftershock"
    request_timeout_ms: int = 15_000

    def topic_for(self, event_type: str) -> str:
        """The topic that carries events of ``event_type`` (e.g. ``audit.changes``)."""
        return self.topic_prefix + _TOPIC_SUFFIX[event_type]

    def audit_topics(self) -> list[str]:
        return [self.topic_for(t) for t in EVENT_TYPES]

    @property
    def dead_letter_topic(self) -> str:
        return self.topic_prefix + "dead_letter"


class BrokerSettings(_Section):
    """The local single-node broker assembled from Maven Central jars."""

    kafka_version: str = "4.3.1"
    cache_dir: Path = Field(default_factory=lambda: _cache_home() / "kafka")
    state_dir: Path = Field(default_factory=lambda: _state_home() / "broker")
    port: int = Field(default=0, description="Client port; 0 picks a free one.")
    controller_port: int = Field(default=0, description="Controller port; 0 picks a free one.")
    heap: str = "512m"
    start_timeout_s: float = 120.0
    stop_timeout_s: float = 30.0
    mvn_timeout_s: float = 600.0


class LakeSettings(_Section):
    dir: Path = Field(default=Path("lake"), description="Root folder of the Parquet lake.")


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


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="AFTERSHOCK_", env_nested_delimiter="__", frozen=True, extra="ignore"
    )

    kafka: KafkaSettings = KafkaSettings()
    broker: BrokerSettings = BrokerSettings()
    lake: LakeSettings = LakeSettings()
    ingest: IngestSettings = IngestSettings()


def load_settings() -> Settings:
    """Build the settings from the environment (``KAFKA_BOOTSTRAP_SERVERS`` as a fallback)."""
    settings = Settings()
    fallback = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if settings.kafka.bootstrap_servers is None and fallback:
        kafka = settings.kafka.model_copy(update={"bootstrap_servers": fallback})
        settings = settings.model_copy(update={"kafka": kafka})
    return settings
