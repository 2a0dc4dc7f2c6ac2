"""Records that used to stop the pipeline or land false data, through the real worker on a real
broker: each is dead-lettered with its reason, every good record lands exactly once, and the
worker keeps going (it exits 0 on its own once idle)."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaAdminClient, KafkaConsumer
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic

from aftershock.settings import EVENT_TYPES, KafkaSettings
from lake.manifest import snapshot
from lake.reader import open_lake
from tests.ingest.kafka_data import create_topics, event_templates, produce, serialised_events
from tests.ingest.worker_proc import raw_rows, start_worker, wait_for_log, worker_env

pytestmark = pytest.mark.kafka
DEFAULT_MAX_MESSAGE = 1_048_588  # Kafka's default max.message.bytes
DEEP = b'{"event_type": "change", "x": ' + b"[" * 20_000 + b"]" * 20_000 + b"}"  # ~40 KB


def _event(event_type: str, event_id: str, **changes: Any) -> dict[str, Any]:
    body = dict(event_templates()[event_type])
    payload = dict(body["payload"])  # type: ignore[arg-type]
    payload.update(changes.pop("payload", {}))
    return body | {"event_id": event_id, "payload": payload} | changes


def _dump(body: dict[str, Any]) -> bytes:
    return json.dumps(body).encode()


def _run(kafka_bootstrap: str, prefix: str, group: str, tmp_path: Path,
         records: list[tuple[str, bytes | None]], until_idle: float = 4.0, **ingest: object) -> Path:
    """Produce ``records``, run the worker until idle (it must exit 0); returns its log."""
    produce(kafka_bootstrap, records)
    log = tmp_path / "worker.log"
    worker = start_worker(tmp_path / "lake", worker_env(kafka_bootstrap, prefix, group, **ingest), log,
                          until_idle=until_idle)
    assert worker.wait(timeout=300) == 0, log.read_text()[-4000:]
    return log


def _event_ids(lake: Path) -> Counter[str]:
    con = open_lake(lake)
    ids: Counter[str] = Counter()
    for table in EVENT_TYPES:
        ids.update(r[0] for r in con.execute(f"SELECT event_id FROM {table}").fetchall())  # noqa: S608
    return ids


def _dead(lake: Path) -> list[tuple[str, str, bytes, int]]:
    """(reason, message, raw, offset) of every dead-letter row, by offset."""
    rows = open_lake(lake).execute(
        "SELECT reason, error_message, raw, _offset FROM dead_letter ORDER BY _offset").fetchall()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def _good(kafka: KafkaSettings, count: int) -> list[tuple[str, bytes | None]]:
    return [(kafka.topic_for(t), raw) for t, raw in serialised_events(count)]


def _exactly_once(lake: Path, count: int) -> None:
    ids = _event_ids(lake)
    assert set(ids) == {f"e{i}" for i in range(count)} and max(ids.values()) == 1
    for table in EVENT_TYPES:  # not even a repeat the views' dedupe would hide
        if not snapshot(lake).files_of(table):
            continue
        total, distinct = raw_rows(lake, table).execute(
            "SELECT count(*), count(DISTINCT event_id) FROM raw").fetchone()  # type: ignore[misc]
        assert total == distinct


def _with_poison(good: list[tuple[str, bytes | None]], poison: list[tuple[str, bytes | None]],
                 seed: int = 3) -> list[tuple[str, bytes | None]]:
    records, rng = list(good), random.Random(seed)  # noqa: S311 - test data
    for item in poison:
        records.insert(rng.randrange(len(records) + 1), item)
    return records


def test_deeply_nested_record_is_dead_lettered_and_ingest_goes_on(
        kafka_bootstrap: str, topic_prefix: str, group_id: str, tmp_path: Path) -> None:
    kafka = KafkaSettings(topic_prefix=topic_prefix)
    create_topics(kafka_bootstrap, kafka.audit_topics())
    records = _with_poison(_good(kafka, 1000), [(kafka.topic_for("change"), DEEP)] * 2)
    _run(kafka_bootstrap, topic_prefix, group_id, tmp_path, records)
    _exactly_once(tmp_path / "lake", 1000)
    dead = _dead(tmp_path / "lake")
    assert [(d[0], d[2]) for d in dead] == [("too_deep", DEEP)] * 2
    assert "nest deeper than 64 levels" in dead[0][1]


def test_a_record_that_crashes_the_landing_process_is_isolated_and_dead_lettered_unread(
        kafka_bootstrap: str, topic_prefix: str, group_id: str, tmp_path: Path) -> None:
    """With the depth check off, the deep record really crashes pyarrow's JSON reader (SIGSEGV):
    the worker must start a new landing process, narrow the failing range down to that record,
    dead-letter it unread and land everything else once: no endless exit and restart."""
    kafka = KafkaSettings(topic_prefix=topic_prefix)
    topic = kafka.topic_for("change")
    create_topics(kafka_bootstrap, [topic], partitions=1)
    good = [(topic, _dump(_event("change", f"e{i}"))) for i in range(200)]
    records = good[:77] + [(topic, DEEP)] + good[77:]
    # idle only after 20 s: narrowing the range down restarts the landing process several
    # times, which on a loaded machine outlasted the default 4 s once
    log = _run(kafka_bootstrap, topic_prefix, group_id, tmp_path, records, until_idle=20.0,
               max_json_depth=10**9, batch_max_records=64)
    _exactly_once(tmp_path / "lake", 200)
    dead = _dead(tmp_path / "lake")
    assert [(d[0], d[2], d[3]) for d in dead] == [("unlandable", DEEP, 77)]
    text = log.read_text()
    assert "killed by signal 11" in text
    assert f"dead-lettering {topic}[0]@77..77 unread as unlandable" in text
    assert " 1 unlandable" in text  # the progress line counts it


def test_an_integer_beyond_int64_is_dead_lettered_alone(
        kafka_bootstrap: str, topic_prefix: str, group_id: str, tmp_path: Path) -> None:
    kafka = KafkaSettings(topic_prefix=topic_prefix)
    create_topics(kafka_bootstrap, kafka.audit_topics())
    huge = _dump(_event("incident", "huge", payload={"users_affected": 2**63}))
    records = _with_poison(_good(kafka, 1000), [(kafka.topic_for("incident"), huge)])
    _run(kafka_bootstrap, topic_prefix, group_id, tmp_path, records)
    _exactly_once(tmp_path / "lake", 1000)
    [(reason, message, raw, _offset)] = _dead(tmp_path / "lake")
    assert (reason, raw) == ("invalid", huge) and "$.payload.users_affected" in message


def test_nan_infinity_and_duplicate_keys_are_dead_lettered_naming_the_field(
        kafka_bootstrap: str, topic_prefix: str, group_id: str, tmp_path: Path) -> None:
    kafka = KafkaSettings(topic_prefix=topic_prefix)
    create_topics(kafka_bootstrap, kafka.audit_topics())
    gate = kafka.topic_for("gate_decision")
    nan = _dump(_event("gate_decision", "nan", payload={"score": float("nan")}))
    inf = _dump(_event("gate_decision", "inf", payload={"score": float("-inf")}))
    dup = _dump(_event("change", "dup")).replace(b'"source": "github"',
                                                 b'"source": "forged", "source": "github"')
    poison = [(gate, nan), (gate, inf), (kafka.topic_for("change"), dup)]
    _run(kafka_bootstrap, topic_prefix, group_id, tmp_path, _with_poison(_good(kafka, 1000), poison))
    _exactly_once(tmp_path / "lake", 1000)
    found = {raw: (reason, message) for reason, message, raw, _ in _dead(tmp_path / "lake")}
    assert found[nan] == ("invalid", "$.payload.score: Input should be a finite number")
    assert found[inf] == ("invalid", "$.payload.score: Input should be a finite number")
    assert found[dup] == ("invalid", '$: duplicate key "source"')


def test_an_implausible_date_is_dead_lettered(
        kafka_bootstrap: str, topic_prefix: str, group_id: str, tmp_path: Path) -> None:
    kafka = KafkaSettings(topic_prefix=topic_prefix)
    create_topics(kafka_bootstrap, kafka.audit_topics())
    far = _dump(_event("deployment", "far", occurred_at="9999-12-31T00:00:00Z",
                       payload={"started_at": "9999-12-31T00:00:00Z"}))
    old = _dump(_event("deployment", "old", occurred_at="1970-01-01T00:00:00Z"))
    poison = [(kafka.topic_for("deployment"), far), (kafka.topic_for("deployment"), old)]
    _run(kafka_bootstrap, topic_prefix, group_id, tmp_path, _with_poison(_good(kafka, 1000), poison))
    _exactly_once(tmp_path / "lake", 1000)
    found = {raw: (reason, message) for reason, message, raw, _ in _dead(tmp_path / "lake")}
    assert found[far][0] == found[old][0] == "implausible"
    assert found[far][1].startswith("$.occurred_at: 9999-12-31T00:00:00+00:00 is later than")
    assert found[old][1].startswith("$.occurred_at: 1970-01-01T00:00:00+00:00 is earlier than")


def test_a_value_just_over_1_mib_is_dead_lettered_and_its_topic_copy_fits(
        kafka_bootstrap: str, topic_prefix: str, group_id: str, tmp_path: Path) -> None:
    kafka = KafkaSettings(topic_prefix=topic_prefix)
    topic = kafka.topic_for("change")
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    admin.create_topics([NewTopic(topic, 1, 1, topic_configs={"max.message.bytes": str(4 << 20)}),
                         NewTopic(kafka.dead_letter_topic, 1, 1,
                                  topic_configs={"max.message.bytes": str(DEFAULT_MAX_MESSAGE)})])
    admin.close()
    body = _event("change", "big")
    big = _dump(body | {"source_url": "x" * ((1 << 20) + 10 - len(_dump(body | {"source_url": ""})))})
    assert len(big) == (1 << 20) + 10
    good = [(topic, _dump(_event("change", f"e{i}"))) for i in range(300)]
    _run(kafka_bootstrap, topic_prefix, group_id, tmp_path, good[:100] + [(topic, big)] + good[100:])
    _exactly_once(tmp_path / "lake", 300)
    [(reason, _message, raw, offset)] = _dead(tmp_path / "lake")
    assert (reason, raw, offset) == ("oversized", big, 100)  # the lake row keeps every byte
    consumer = KafkaConsumer(kafka.dead_letter_topic, bootstrap_servers=kafka_bootstrap,
                             auto_offset_reset="earliest", consumer_timeout_ms=5000)
    [copy] = list(consumer)
    consumer.close()
    headers = dict(copy.headers)
    digest = hashlib.sha256(big).hexdigest()
    assert headers["aftershock.original.length"] == str(len(big)).encode()
    assert headers["aftershock.original.sha256"] == digest.encode()
    assert len(copy.value) <= 1_000_000 and big.startswith(copy.value[:900_000])
    assert copy.value.endswith(f"[truncated by aftershock: {len(big)} bytes, sha256 {digest}]".encode())


def test_dead_letters_wait_in_the_spool_while_their_topic_is_unreachable(
        kafka_bootstrap: str, topic_prefix: str, group_id: str, tmp_path: Path) -> None:
    """The dead-letter topic takes no letter (its records may be 64 bytes at most) for far longer
    than the send timeout: the letters are spooled (the lake rows commit anyway), the worker keeps
    landing, and once the topic takes them again the spool is sent and emptied."""
    kafka = KafkaSettings(topic_prefix=topic_prefix)
    create_topics(kafka_bootstrap, kafka.audit_topics())
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    admin.create_topics([NewTopic(kafka.dead_letter_topic, 1, 1,
                                  topic_configs={"max.message.bytes": "64"})])
    bad = [(kafka.topic_for("change"), f"{{not json {i}".encode()) for i in range(30)]
    produce(kafka_bootstrap, _with_poison(_good(kafka, 1000), bad))
    log, spool = tmp_path / "worker.log", tmp_path / "spool"
    env = worker_env(kafka_bootstrap, topic_prefix, group_id, dead_letter_timeout_s=2,
                     dead_letter_retry_s=1, dead_letter_spool_dir=spool)
    worker = start_worker(tmp_path / "lake", env, log, until_idle=None)
    try:
        wait_for_log(log, r"1000 events landed, 0 in-batch duplicates, 30 dead letters.* 30 dead "
                          r"letters spooled", timeout_s=120)
        assert sorted(d[2] for d in _dead(tmp_path / "lake")) == sorted(v for _, v in bad)
        assert sum(p.read_bytes().count(b"\n") for p in spool.glob("letters-*.jsonl")) == 30
        admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, kafka.dead_letter_topic,
                                            configs={"max.message.bytes": str(DEFAULT_MAX_MESSAGE)})])
        wait_for_log(log, r"sent \d+ spooled dead letters to .*; 0 waiting", timeout_s=120)
    finally:
        admin.close()
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=60) == 0, log.read_text()[-4000:]
    assert not list(spool.glob("letters-*.jsonl"))
    consumer = KafkaConsumer(kafka.dead_letter_topic, bootstrap_servers=kafka_bootstrap,
                             auto_offset_reset="earliest", consumer_timeout_ms=5000)
    sent = Counter((r.value, dict(r.headers)["__connect.errors.offset"]) for r in consumer)
    consumer.close()
    assert sorted(value for value, _ in sent) == sorted(v for _, v in bad)  # each once, none lost


def _fuzz_seed() -> int:
    seed = int(os.environ.get("AFTERSHOCK_FUZZ_SEED") or random.SystemRandom().randrange(1 << 32))
    print(f"fuzz seed {seed} (AFTERSHOCK_FUZZ_SEED={seed} repeats this run)")
    return seed


def _mutant(rng: random.Random, n: int) -> bytes:
    """One malformed record: a good event (id ``bad<n>``) broken one way or another."""
    body = _event(rng.choice(EVENT_TYPES), f"bad{n}-{rng.getrandbits(64):016x}")  # no byte flip repeats it
    text = _dump(body)
    kind = rng.randrange(10)
    if kind == 0:
        return text[:rng.randrange(1, len(text))]  # truncated
    if kind == 1:
        at = rng.randrange(len(text))
        return text[:at] + bytes([rng.randrange(256)]) + text[at + 1:]  # one byte changed
    if kind == 2:
        depth = rng.choice([65, 500, 20_000])
        return text[:-1] + b', "x": ' + b"[" * depth + b"]" * depth + b"}"
    if kind == 3:
        return text.replace(b'"event_id"', b'"source": "x", "event_id"', 1)  # duplicate key
    if kind == 4:
        return text[:-1] + b', "n": ' + rng.choice([b"NaN", b"Infinity", b"1e400", b"9" * 30]) + b"}"
    if kind == 5:
        return _dump(body | {"occurred_at": rng.choice(["9999-12-31T00:00:00Z", "0001-01-01T00:00:00Z",
                                                        "1900-01-01T00:00:00+01:00"])})
    if kind == 6:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))  # noise
    if kind == 7:
        return b"x" * 5000  # over max_record_bytes
    if kind == 8:
        return _dump(body | {"event_type": rng.choice(["nope", "", "CHANGE"])})
    return _dump(body | {"payload": {"unexpected": [1, {"a": None}]}})


def test_fuzz_malformed_records_never_stop_the_worker_and_good_ones_land_once(
        kafka_bootstrap: str, topic_prefix: str, group_id: str, tmp_path: Path) -> None:
    seed = _fuzz_seed()
    rng = random.Random(seed)  # noqa: S311 - test data
    kafka = KafkaSettings(topic_prefix=topic_prefix)
    create_topics(kafka_bootstrap, kafka.audit_topics() + [kafka.dead_letter_topic])
    bad = [(rng.choice(kafka.audit_topics()), _mutant(rng, n)) for n in range(300)]
    records = _with_poison(_good(kafka, 3000), bad, seed)
    _run(kafka_bootstrap, topic_prefix, group_id, tmp_path, records, max_record_bytes=4000,
         batch_max_records=500)
    ids = _event_ids(tmp_path / "lake")
    good = {i: c for i, c in ids.items() if not i.startswith("bad")}
    assert good == {f"e{i}": 1 for i in range(3000)}, f"seed {seed}"
    landed_bad = sum(c for i, c in ids.items() if i.startswith("bad"))  # a mutation may stay valid
    assert landed_bad + len(_dead(tmp_path / "lake")) == len(bad), f"seed {seed}"
