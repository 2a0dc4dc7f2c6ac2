"""Durability: the broker stops while deliveries are posted, the receiver restarts meanwhile, the broker
comes back; every acknowledged delivery lands in the lake exactly once (real broker, real receiver
process, real ingest worker). And a full spool answers 503 with Retry-After, never a 4xx."""

from __future__ import annotations

import json
import socket
import uuid
from collections import Counter
from pathlib import Path

import pytest

from aftershock.broker.local import LocalBroker
from aftershock.settings import EVENT_TYPES, BrokerSettings
from lake.reader import open_lake
from tests.conftest import REAL_EVENTS
from tests.ingest.worker_proc import start_worker, worker_env
from tests.receiver.helpers import BEARER, Receiver, secrets_env, signed_headers
from tests.sdk.helpers import numbered_events
from tests.sdk.test_emitter_exit import wait_port_free

pytestmark = [pytest.mark.kafka, pytest.mark.slow]
NATIVE = {"Authorization": f"Bearer {BEARER}"}


def lake_ids(lake: Path) -> Counter[str]:
    con = open_lake(lake)
    ids: Counter[str] = Counter()
    for table in EVENT_TYPES:
        ids.update(r[0] for r in con.execute(f"SELECT event_id FROM {table}").fetchall())  # noqa: S608
    return ids


class Poster:
    """Posts native events and real GitHub deliveries; remembers the event ids acknowledged."""

    def __init__(self, run: str) -> None:
        self.events = iter(numbered_events(200, run))  # 1,200 events, all six types
        self.acknowledged: set[str] = set()
        self.sent: list[tuple[str, bytes, dict[str, str]]] = []

    def native(self, receiver: Receiver, count: int) -> None:
        for _ in range(count):
            event = next(self.events)
            body = event.model_dump_json().encode()
            headers = NATIVE | {"Idempotency-Key": event.event_id}
            reply = receiver.post("aftershock", body, headers)
            assert reply.status == 202 and reply.json()["status"] == "accepted", reply.body
            self.acknowledged.add(event.event_id)
            self.sent.append(("aftershock", body, headers))

    def github(self, receiver: Receiver) -> None:
        from adapters.registry import adapt

        for path in sorted((REAL_EVENTS / "github").glob("*.json")):
            body = path.read_bytes()
            headers = signed_headers("github", body, path.name) | {"X-GitHub-Delivery": str(uuid.uuid4())}
            reply = receiver.post("github", body, headers)
            assert reply.status == 202 and reply.json()["status"] == "accepted", (path, reply.body)
            self.acknowledged |= {e.event_id for e in adapt("github", json.loads(body), None, headers)}
            self.sent.append(("github", body, headers))

    def replay_all(self, receiver: Receiver) -> None:
        """Senders retrying every delivery: each answered duplicate."""
        for source, body, headers in self.sent:
            reply = receiver.post(source, body, headers)
            assert reply.status == 200 and reply.json()["status"] == "duplicate", reply.body


def test_every_acknowledged_delivery_lands_once_across_a_broker_outage_and_a_restart(
        topic_prefix: str, group_id: str, tmp_path: Path) -> None:
    if not REAL_EVENTS.is_dir():
        pytest.skip(f"real-events folder not found at {REAL_EVENTS} (present in CI)")
    broker = LocalBroker(BrokerSettings(state_dir=tmp_path / "broker", stop_timeout_s=10))
    state, _ = broker.start()
    env = secrets_env() | {
        "AFTERSHOCK_KAFKA__BOOTSTRAP_SERVERS": state.bootstrap,
        "AFTERSHOCK_KAFKA__TOPIC_PREFIX": topic_prefix,
        "AFTERSHOCK_WEBHOOKS__SPOOL_DIR": str(tmp_path / "spool"),
        "AFTERSHOCK_WEBHOOKS__AFTERSHOCK_TOKEN": BEARER,
    }
    poster = Poster(uuid.uuid4().hex[:8])
    receiver = Receiver(env, tmp_path / "receiver-1.log")
    try:
        poster.native(receiver, 150)
        poster.github(receiver)
        receiver.wait_metric("spool_pending_records", lambda v: v == 0)  # shipped while up
        assert broker.stop()
        poster.native(receiver, 150)  # broker down: still acknowledged, into the spool
        # the probe's answer is reused for a second (receiver.app.REACHABLE_TTL_S): wait for it
        receiver.wait_metric("broker_reachable", lambda v: v == 0)
        ready = receiver.request("GET", "/readyz")
        assert ready.status == 200 and ready.json()["broker"].startswith("unreachable"), ready.body
        assert receiver.metrics()["spool_pending_records"] >= 150
        log = receiver.stop()
        assert receiver.proc.returncode == 0 and "records wait in the spool" in log, log[-2000:]

        receiver = Receiver(env, tmp_path / "receiver-2.log")  # restarted during the outage
        poster.replay_all(receiver)  # the delivery ids survived the restart
        poster.native(receiver, 100)
        wait_port_free(state.port)
        wait_port_free(state.controller_port)
        state, restarted = broker.start()
        assert restarted
        receiver.wait_metric("spool_pending_records", lambda v: v == 0, timeout_s=180)
        assert receiver.metrics()["lag_seconds"] == 0
    finally:
        log = receiver.stop()
    assert receiver.proc.returncode == 0, log[-2000:]

    worker_log = tmp_path / "worker.log"
    try:
        env = worker_env(state.bootstrap, topic_prefix, group_id)
        worker = start_worker(tmp_path / "lake", env, worker_log)
        assert worker.wait(timeout=180) == 0, worker_log.read_text()[-3000:]
        landed = lake_ids(tmp_path / "lake")
    finally:
        broker.stop()
    assert set(landed) == poster.acknowledged
    assert max(landed.values()) == 1
    assert len(poster.acknowledged) > 400


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_full_spool_answers_503_with_retry_after_and_keeps_what_it_acknowledged(tmp_path: Path) -> None:
    env = {
        "AFTERSHOCK_KAFKA__BOOTSTRAP_SERVERS": f"127.0.0.1:{closed_port()}",  # no broker at all
        "AFTERSHOCK_WEBHOOKS__SPOOL_DIR": str(tmp_path / "spool"),
        "AFTERSHOCK_WEBHOOKS__SPOOL_MAX_BYTES": "16384",
        "AFTERSHOCK_WEBHOOKS__MAX_BODY_BYTES": "2048",
        "AFTERSHOCK_WEBHOOKS__RETRY_AFTER_S": "17",
        "AFTERSHOCK_WEBHOOKS__AFTERSHOCK_TOKEN": BEARER,
    }
    receiver = Receiver(env, tmp_path / "receiver.log")
    try:
        acknowledged, statuses = [], []
        events = numbered_events(10, "full")  # ten of every type
        for event in events:
            reply = receiver.post("aftershock", event.model_dump_json().encode(),
                                  NATIVE | {"Idempotency-Key": event.event_id})
            statuses.append(reply.status)
            if reply.status == 202:
                acknowledged.append(event.event_id)
            else:
                assert reply.status == 503 and reply.headers["retry-after"] == "17", reply.body
        assert 0 < len(acknowledged) < len(events) and set(statuses) == {202, 503}
        assert statuses.index(503) == len(acknowledged)  # once full, full until the broker drains it
        assert receiver.request("GET", "/readyz").status == 503
        metrics = receiver.metrics()
        assert metrics['deliveries_rejected_total{reason="spool_full",source="aftershock"}'] == len(
            events) - len(acknowledged)
        assert metrics["spool_pending_records"] == len(acknowledged)
    finally:
        log = receiver.stop()
    assert receiver.proc.returncode == 0, log
    from aftershock.sdk.spool import Spool

    kept = [json.loads(r.value)["event_id"] for _, r in Spool(tmp_path / "spool" / "spool").pending()]
    assert kept == acknowledged
