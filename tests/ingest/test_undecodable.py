"""Record batches the client cannot decode (corrupted on the broker's disk, or naming a codec that
does not exist) are dead-lettered as offset ranges and stepped over: ingest never stops on them,
and the good records around them land exactly once."""

from __future__ import annotations

import struct
import uuid
import zlib
from collections.abc import Iterator
from pathlib import Path

import crc32c
import pytest
from kafka import KafkaConsumer, KafkaProducer
from kafka.errors import CorruptRecordError, KafkaConnectionError, KafkaTimeoutError, UnsupportedCodecError

from aftershock.broker.local import LocalBroker
from aftershock.settings import BrokerSettings, KafkaSettings
from ingest.undecodable import may_be_undecodable
from lake.reader import open_lake
from tests.ingest.kafka_data import create_topics, serialised_events
from tests.ingest.test_codecs import lake_event_ids
from tests.ingest.worker_proc import start_worker, worker_env

pytestmark = [pytest.mark.kafka, pytest.mark.slow]
_ATTRIBUTES = 21  # byte of a v2 record batch where its attributes start (and its CRC-32C's span)


@pytest.fixture(scope="module")
def own_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A local broker of this module's own (its log folder is edited on disk): bootstrap, data."""
    state = tmp_path_factory.mktemp("own-broker")
    broker = LocalBroker(BrokerSettings(state_dir=state))
    try:
        started, _ = broker.start()
    except Exception as exc:  # noqa: BLE001 - reported as a failure, never a skip
        pytest.fail(f"no local Kafka broker for the corrupted-batch tests: {exc}", pytrace=False)
    try:
        yield started.bootstrap, state / "data"
    finally:
        broker.stop()


def _batches(bootstrap: str, topic: str, groups: list[list[bytes]]) -> None:
    """Each group of values as its own gzip record batch on partition 0."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, compression_type="gzip", linger_ms=5)
    for values in groups:
        for value in values:
            producer.send(topic, partition=0, value=value)
        producer.flush()
    producer.close()


def _aborted(bootstrap: str, topic: str, values: list[bytes]) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, compression_type="gzip",
                             transactional_id=f"t-{uuid.uuid4()}")
    producer.init_transactions()
    producer.begin_transaction()
    for value in values:
        producer.send(topic, partition=0, value=value)
    producer.flush()
    producer.abort_transaction()
    producer.close()


def _batch_positions(segment: Path) -> dict[int, tuple[int, int]]:
    """(position, length after the length field) of each record batch, by its base offset."""
    data, positions, pos = segment.read_bytes(), {}, 0
    while pos < len(data):
        base, length = struct.unpack_from(">qi", data, pos)
        positions[base] = (pos, length)
        pos += 12 + length
    return positions


def _corrupt_payload(segment: Path, base: int, fix_crc: bool = False) -> None:
    """Flip bytes inside the compressed records of a batch: its CRC no longer matches (or, with
    ``fix_crc``, matches, and the records do not decompress)."""
    pos, length = _batch_positions(segment)[base]
    data = bytearray(segment.read_bytes()[pos:pos + 12 + length])
    data[-6:-4] = b"\xde\xad"
    if fix_crc:
        data[17:21] = struct.pack(">I", crc32c.crc32c(bytes(data[_ATTRIBUTES:])))
    with open(segment, "r+b") as handle:
        handle.seek(pos)
        handle.write(data)


def _unknown_codec(segment: Path, base: int) -> None:
    """Mark a batch as compressed with codec 7 (none such) and give it a matching CRC."""
    pos, length = _batch_positions(segment)[base]
    data = bytearray(segment.read_bytes()[pos:pos + 12 + length])
    data[_ATTRIBUTES + 1] = (data[_ATTRIBUTES + 1] & 0xF8) | 7
    data[17:21] = struct.pack(">I", crc32c.crc32c(bytes(data[_ATTRIBUTES:])))
    with open(segment, "r+b") as handle:
        handle.seek(pos)
        handle.write(data)


def test_undecodable_batches_are_dead_lettered_and_skipped(
        own_broker: tuple[str, Path], topic_prefix: str, group_id: str, tmp_path: Path) -> None:
    bootstrap, data = own_broker
    kafka = KafkaSettings(topic_prefix=topic_prefix)
    create_topics(bootstrap, kafka.audit_topics() + [kafka.dead_letter_topic], partitions=1)
    topic = kafka.topic_for("change")
    values = [raw for _, raw in serialised_events(24)]
    # offsets: good 0-4, corrupt 5-10, good 11-12, unknown codec 13-16, good 17-19, gzip that
    # does not decompress (a matching CRC) 20-23
    _batches(bootstrap, topic, [values[0:5], values[5:11], values[11:13], values[13:17], values[17:20],
                                values[20:24]])
    # another partition: good 0-2, an aborted transaction 3-4 and its marker 5, corrupt 6-8 (the end)
    incident, others = kafka.topic_for("incident"), [raw for _, raw in serialised_events(8, prefix="i")]
    _batches(bootstrap, incident, [others[0:3]])
    _aborted(bootstrap, incident, others[3:5])
    _batches(bootstrap, incident, [others[5:8]])
    segment = data / f"{topic}-0" / f"{0:020d}.log"
    assert sorted(_batch_positions(segment)) == [0, 5, 11, 13, 17, 20]
    _corrupt_payload(segment, 5)
    _unknown_codec(segment, 13)
    _corrupt_payload(segment, 20, fix_crc=True)
    assert sorted(_batch_positions(data / f"{incident}-0" / f"{0:020d}.log")) == [0, 3, 5, 6]
    _corrupt_payload(data / f"{incident}-0" / f"{0:020d}.log", 6)

    lake, log = tmp_path / "lake", tmp_path / "worker.log"
    env = worker_env(bootstrap, topic_prefix, group_id)
    for run in range(2):  # a second run finds everything landed and adds nothing
        worker = start_worker(lake, env, log)
        assert worker.wait(timeout=180) == 0, log.read_text()[-3000:]
        good = {f"e{i}" for i in [*range(5), 11, 12, *range(17, 20)]} | {"i0", "i1", "i2"}
        ids = lake_event_ids(lake)
        assert set(ids) == good and max(ids.values()) == 1, run
        rows = open_lake(lake).execute(
            "SELECT _topic, _partition, _offset, reason, error_class, error_message, raw "
            "FROM dead_letter ORDER BY _topic, _offset").fetchall()
        # the incident range starts after the aborted records and their marker (6) when the
        # consumer stepped over them before it met the corrupt batch, else where they start (3)
        first = rows[3][2] if rows[3][2] in (3, 6) else -1
        assert [r[:5] for r in rows] == [(topic, 0, 5, "undecodable", "CorruptRecordError"),
                                         (topic, 0, 13, "undecodable", "UnsupportedCodecError"),
                                         (topic, 0, 20, "undecodable", "BadGzipFile"),
                                         (incident, 0, first, "undecodable", "CorruptRecordError")]
        assert "offsets 5-10 of" in rows[0][5] and "crc" in rows[0][5]
        assert "offsets 13-16 of" in rows[1][5] and "7" in rows[1][5]
        assert "offsets 20-23 of" in rows[2][5]
        assert f"offsets {first}-8 of" in rows[3][5]
        assert [r[6] for r in rows] == [b"", b"", b"", b""]
    text = log.read_text()
    assert f"undecodable records skipped: {topic}[0] offsets 5-10" in text
    assert f"undecodable records skipped: {topic}[0] offsets 13-16" in text
    assert f"undecodable records skipped: {topic}[0] offsets 20-23" in text
    assert f"undecodable records skipped: {incident}[0] offsets {first}-8" in text
    assert text.count("undecodable records skipped") == 4  # once each, never again after landing
    assert "4 undecodable ranges" in text

    consumer = KafkaConsumer(kafka.dead_letter_topic, bootstrap_servers=bootstrap,
                             auto_offset_reset="earliest", consumer_timeout_ms=5000)
    letters = [dict(r.headers) for r in consumer]
    consumer.close()
    assert sorted(int(h["__connect.errors.offset"]) for h in letters) == sorted([5, 13, 20, first])
    assert {h["__connect.errors.reason"] for h in letters} == {b"undecodable"}


def test_only_errors_that_may_be_a_batch_are_probed() -> None:
    assert may_be_undecodable(CorruptRecordError("failed crc check"))
    assert may_be_undecodable(UnsupportedCodecError("Unrecognized compression type: 7"))
    assert may_be_undecodable(zlib.error("invalid stored block lengths"))
    assert may_be_undecodable(EOFError("Compressed file ended before the end-of-stream marker"))
    assert not may_be_undecodable(KafkaConnectionError("connection refused"))
    assert not may_be_undecodable(KafkaTimeoutError("no answer"))
