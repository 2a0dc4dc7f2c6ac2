"""The Kafka side of the lake's anchors: the worker publishes every signed manifest head to the
heads topic, and ``verify`` reads them back with the consumer group's committed offsets.

A head on the topic is the witness record itself (:mod:`lake.witness`), keyed by the lake id.
The worker publishes the newest head of the witness when it starts and every head written after
that (its own commits, and a compaction's or backfill's while it runs), so the topic holds the
lake's heads for as long as its retention keeps them; ``lake/`` imports no Kafka client, which
is why this lives here.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from aftershock.kafka_client import client_config, connect
from aftershock.settings import KafkaSettings
from lake.anchors import Anchor
from lake.manifest import Manifest
from lake.witness import Record, Witness

READ_TIMEOUT_MS = 10_000
CLOSE_TIMEOUT_S = 10.0
# One partition keeps a lake's heads in order; kept forever because a head is evidence for as long
# as the lake lives (about 300 bytes per commit: a commit every 2 s is ~13 MB a year).
HEADS_TOPIC_CONFIG = {"retention.ms": "-1", "cleanup.policy": "delete"}


class HeadsPublisher:
    """Sends the heads the witness gains to the heads topic (asynchronously; flushed on close)."""

    def __init__(self, bootstrap: str, topic: str, client_id: str, lake: Path,
                 anchor_dir: Path, kafka: KafkaSettings | None = None) -> None:
        self.topic, self.manifest = topic, Manifest(lake)
        self.witness = Witness(anchor_dir, lake)
        self.read_to: int | None = None  # bytes of the witness file already looked at
        ensure_topic(bootstrap, topic, kafka)
        self.producer = connect(KafkaProducer, _client(bootstrap, kafka), acks="all", linger_ms=20,
                                client_id=f"{client_id}-heads")

    def publish_new(self) -> None:
        """Send the heads written since the last call (the first call: only the newest)."""
        lake_id = self.manifest.refresh().lake_id
        if lake_id is None:
            return
        first = self.read_to is None
        heads = [r for r in self._new_records(self.witness.file(lake_id)) if r.get("phase") == "head"]
        for record in heads[-1:] if first else heads:
            self.producer.send(self.topic, key=lake_id.encode(), value=json.dumps(record).encode()
                               ).add_errback(_not_published, record)

    def _new_records(self, path: Path) -> list[Record]:
        try:
            with open(path, "rb") as handle:
                handle.seek(self.read_to or 0)
                data = handle.read()
        except FileNotFoundError:
            return []
        complete = data[:data.rfind(b"\n") + 1]
        self.read_to = (self.read_to or 0) + len(complete)
        records = []
        for line in complete.split(b"\n"):
            try:
                record = json.loads(line) if line.strip() else None
            except ValueError:
                record = None
            if isinstance(record, dict):
                records.append(record)
        return records

    def close(self) -> None:
        """Send what is pending (waiting at most ``CLOSE_TIMEOUT_S``), then close."""
        try:
            self.producer.flush(timeout=CLOSE_TIMEOUT_S)
        except KafkaError as exc:
            print(f"aftershock ingest: heads not all published to {self.topic} "
                  f"({type(exc).__name__}: {exc}); they stay in the witness file",
                  file=sys.stderr, flush=True)
        self.producer.close(timeout=CLOSE_TIMEOUT_S)


def ensure_topic(bootstrap: str, topic: str, kafka: KafkaSettings | None = None) -> None:
    """Create the heads topic when it is missing: one partition, :data:`HEADS_TOPIC_CONFIG`, the
    broker's default replication. A topic that exists is left as its operator configured it; a
    broker that refuses says so on stderr (the heads stay in the witness file either way)."""
    admin = connect(KafkaAdminClient, _client(bootstrap, kafka), request_timeout_ms=READ_TIMEOUT_MS)
    try:
        admin.create_topics([NewTopic(topic, num_partitions=1, topic_configs=HEADS_TOPIC_CONFIG)])
    except TopicAlreadyExistsError:
        pass
    except KafkaError as exc:
        print(f"aftershock ingest: could not create the heads topic {topic} ({type(exc).__name__}: "
              f"{exc}); heads are published if the broker creates it, and stay in the witness file",
              file=sys.stderr, flush=True)
    finally:
        admin.close()


def _not_published(exc: Exception, record: Record) -> None:
    print(f"aftershock ingest: head of manifest entry {record.get('seq')} not published to the "
          f"heads topic ({type(exc).__name__}: {exc}); it stays in the witness file",
          file=sys.stderr, flush=True)


def _client(bootstrap: str, kafka: KafkaSettings | None) -> dict[str, Any]:
    """Connection and security arguments of a client (the Kafka security settings when given)."""
    return dict(client_config(kafka, bootstrap)) if kafka is not None else {"bootstrap_servers": bootstrap}


def read_heads(bootstrap: str, topic: str, kafka: KafkaSettings | None = None) -> list[Anchor]:
    """Every record on the heads topic, as (``topic[partition]@offset``, record)."""
    consumer = KafkaConsumer(**_client(bootstrap, kafka), enable_auto_commit=False,
                             allow_auto_create_topics=False, request_timeout_ms=READ_TIMEOUT_MS + 5000)
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        if not tps:
            return []
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        return _read_to_end(consumer, consumer.end_offsets(tps))
    finally:
        consumer.close()


def _read_to_end(consumer: Any, ends: dict[TopicPartition, int]) -> list[Anchor]:
    heads: list[Anchor] = []
    while any(consumer.position(tp) < end for tp, end in ends.items()):
        polled = consumer.poll(timeout_ms=READ_TIMEOUT_MS)
        if not polled:
            raise KafkaError(f"the heads topic stopped answering before its end {ends}")
        for tp, records in polled.items():
            for message in records:
                try:
                    record = json.loads(message.value)
                except (TypeError, ValueError):
                    record = None
                if isinstance(record, dict):
                    heads.append((f"{tp.topic}[{tp.partition}]@{message.offset}", record))
    return heads


def committed_offsets(bootstrap: str, group: str, topics: list[str],
                      kafka: KafkaSettings | None = None) -> dict[tuple[str, int], int]:
    """The offsets ``group`` committed on ``topics`` (retrying while the group coordinator is not
    ready, e.g. on a broker that has not stored any offset yet)."""
    admin = KafkaAdminClient(**_client(bootstrap, kafka), request_timeout_ms=READ_TIMEOUT_MS)
    deadline = time.monotonic() + READ_TIMEOUT_MS / 1000
    try:
        while True:
            try:
                offsets = admin.list_group_offsets({group: None}).get(group, {})
                break
            except KafkaError as exc:
                if not exc.retriable or time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
    finally:
        admin.close()
    return {(tp.topic, tp.partition): meta.offset for tp, meta in offsets.items()
            if tp.topic in topics and meta.offset >= 0}
