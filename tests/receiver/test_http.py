"""The receiver over real HTTP on loopback (``aftershock serve webhooks`` in its own process) with a
real broker: real payloads of every source with correct, missing, forged, rotated and replayed
signatures, oversized and malformed bodies; what it acknowledges reaches Kafka."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from kafka import KafkaConsumer

from adapters.base import MappingError, Rejected
from adapters.registry import adapt
from aftershock.settings import KafkaSettings
from tests.conftest import REAL_EVENTS
from tests.receiver.helpers import (
    GITHUB_SECRET,
    OLD_GITHUB_SECRET,
    PAGERDUTY_SECRETS,
    Receiver,
    hmac_hex,
    secrets_env,
    signed_headers,
)
from tests.sdk.helpers import read_topics

pytestmark = [pytest.mark.kafka]
MAX_BODY = 64 * 1024
SOURCES = {"github": "github", "gitlab": "gitlab", "pagerduty": "pagerduty", "opsgenie": "opsgenie",
           "cdevents": "cdevents", "claude-code-hooks": "claude-code"}


@pytest.fixture(scope="module")
def prefix() -> str:
    return f"w{uuid.uuid4().hex[:12]}."


@pytest.fixture(scope="module")
def receiver(kafka_bootstrap: str, prefix: str,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[Receiver]:
    work = tmp_path_factory.mktemp("receiver")
    env = secrets_env() | {
        "AFTERSHOCK_KAFKA__BOOTSTRAP_SERVERS": kafka_bootstrap,
        "AFTERSHOCK_KAFKA__TOPIC_PREFIX": prefix,
        "AFTERSHOCK_WEBHOOKS__SPOOL_DIR": str(work / "spool"),
        "AFTERSHOCK_WEBHOOKS__MAX_BODY_BYTES": str(MAX_BODY),
    }
    server = Receiver(env, work / "receiver.log")
    yield server
    log = server.stop()
    assert server.proc.returncode == 0, log[-3000:]


def real_files() -> list[tuple[str, Path]]:
    if not REAL_EVENTS.is_dir():
        pytest.skip(f"real-events folder not found at {REAL_EVENTS} (present in CI)")
    return [(SOURCES[folder], path) for folder in sorted(SOURCES)
            for path in sorted((REAL_EVENTS / folder).rglob("*.json"))]


def expected_outcome(source: str, path: Path, headers: dict[str, str]) -> tuple[str, int]:
    """What the adapters make of the payload: (status, events)."""
    try:
        return "accepted", len(adapt(source, json.loads(path.read_bytes()), None, headers))
    except Rejected:
        return "ignored", 0
    except MappingError:
        return "dead_lettered", 0


def test_real_payloads_signed_correctly_are_accepted_with_their_receipt_and_reach_kafka(
        receiver: Receiver, kafka_bootstrap: str, prefix: str) -> None:
    statuses: Counter[str] = Counter()
    ids: set[str] = set()
    for source, path in real_files():
        body = path.read_bytes()
        delivery = uuid.uuid4().hex
        headers = signed_headers(source, body, path.name) | {"Idempotency-Key": delivery,
                                                              "X-GitHub-Delivery": delivery,
                                                              "X-Webhook-Id": delivery}
        reply = receiver.post(source, body, headers)
        assert reply.status == 202, (path, reply.body)
        status, events = expected_outcome(source, path, headers)
        assert reply.json()["status"] == status, (path, reply.body)
        assert reply.json().get("events", 0) == events
        statuses[f"{source}:{status}"] += 1
        if events:
            ids |= {e.event_id for e in adapt(source, json.loads(body), None, headers)}
    for source in SOURCES.values():  # every source has payloads that become events
        assert statuses[f"{source}:accepted"] > 0, statuses
    assert statuses["claude-code:ignored"] == 4  # session, prompt and stop hooks: no tool call
    records = read_topics(kafka_bootstrap, KafkaSettings(topic_prefix=prefix), ids)
    assert {r["event_id"] for r in records} >= ids
    for record in records:
        attributes = record["attributes"]
        assert attributes["webhook_signature"] == "verified"
        assert attributes["webhook_source"] == record["source"] or record["source"] == "claude-code"
        assert attributes["webhook_delivery_id"] and attributes["webhook_received_at"]


def test_missing_and_forged_signatures_are_401_and_nothing_is_taken(receiver: Receiver) -> None:
    body = (REAL_EVENTS / "github" / "push.single-commit.json").read_bytes() if REAL_EVENTS.is_dir() \
        else b'{"ref": "refs/heads/main"}'
    before = receiver.metrics()
    forged = {
        "github": [{}, {"X-Hub-Signature-256": "sha256=" + hmac_hex("guess", body)},
                   {"X-Hub-Signature-256": "sha256=" + hmac_hex(GITHUB_SECRET, body + b" ")},
                   {"X-Hub-Signature-256": "sha256="}, {"X-Hub-Signature-256": "sha256=abc"},
                   {"X-Hub-Signature-256": "sha256=" + "é" * 64}],
        "gitlab": [{}, {"X-Gitlab-Token": "wrong"}, {"X-Gitlab-Token": ""}],
        "pagerduty": [{}, {"X-PagerDuty-Signature": "v1=" + hmac_hex("guess", body)},
                      {"X-PagerDuty-Signature": "v1=,v1=zz"}],
        "opsgenie": [{}, {"X-Team-Token": "wrong"}],
        "cdevents": [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic Zm9vOmJhcg=="}],
        "claude-code": [{}, {"Authorization": "Bearer"}],
    }
    refused = 0
    for source, attempts in forged.items():
        for headers in attempts:
            reply = receiver.post(source, body, headers | {"X-GitHub-Event": "push"})
            assert reply.status == 401, (source, headers, reply.body)
            assert "signature check failed" in reply.json()["error"]
            refused += 1
    after = receiver.metrics()
    assert after["events_spooled_total"] == before.get("events_spooled_total", 0)
    rejected = sum(v for k, v in after.items() if 'reason="signature"' in k) - \
        sum(v for k, v in before.items() if 'reason="signature"' in k)
    assert rejected == refused


def test_githubs_test_vector_and_a_legacy_sha1_alone(receiver: Receiver) -> None:
    body = b"Hello, World!"
    sig = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    assert sig == "sha256=" + hmac_hex(GITHUB_SECRET, body)
    reply = receiver.post("github", body, {"X-Hub-Signature-256": sig, "X-GitHub-Event": "push"})
    assert reply.status == 202 and reply.json()["status"] == "dead_lettered"  # verified; not JSON
    sha1 = "sha1=" + hmac.new(GITHUB_SECRET.encode(), body, hashlib.sha1).hexdigest()
    reply = receiver.post("github", body, {"X-Hub-Signature": sha1, "X-GitHub-Event": "push"})
    assert reply.status == 401 and "legacy" in reply.json()["error"]


def test_rotated_secrets_are_all_accepted(receiver: Receiver) -> None:
    body = json.dumps({"zen": "ping", "hook_id": 1}).encode()
    for secret in (OLD_GITHUB_SECRET, GITHUB_SECRET):
        reply = receiver.post("github", body, {"X-GitHub-Event": "ping",
                                               "X-Hub-Signature-256": "sha256=" + hmac_hex(secret, body)})
        assert reply.status == 202 and reply.json()["status"] == "ignored", reply.body
    pd = (REAL_EVENTS / "pagerduty" / "incident.triggered.json").read_bytes() if REAL_EVENTS.is_dir() \
        else body
    for secret in PAGERDUTY_SECRETS:  # a sender signing with one secret only, either one
        reply = receiver.post("pagerduty", pd, {"X-PagerDuty-Signature": f"v1={hmac_hex(secret, pd)}"})
        assert reply.status == 202, reply.body


def test_a_replayed_delivery_is_acknowledged_once_and_spooled_once(receiver: Receiver) -> None:
    body = (REAL_EVENTS / "gitlab" / "push.json").read_bytes() if REAL_EVENTS.is_dir() else b"{}"
    delivery = str(uuid.uuid4())
    headers = signed_headers("gitlab", body) | {"X-Gitlab-Event-UUID": delivery}
    before = receiver.metrics().get("events_spooled_total", 0)
    first = receiver.post("gitlab", body, headers)
    assert first.status == 202 and first.json()["delivery_id"] == delivery
    for _ in range(3):
        again = receiver.post("gitlab", body, headers)
        assert again.status == 200 and again.json()["status"] == "duplicate"
    assert receiver.metrics()["events_spooled_total"] == before + first.json()["events"]


def test_oversized_bodies_are_413_declared_or_streamed(receiver: Receiver) -> None:
    body = json.dumps({"padding": "x" * MAX_BODY}).encode()
    headers = signed_headers("github", body, "push.json")
    assert receiver.post("github", body, headers).status == 413
    streamed = receiver.post("github", body, headers, chunked=True)  # no Content-Length
    assert streamed.status == 413 and "MAX_BODY_BYTES" in streamed.json()["error"]
    assert receiver.metrics()['deliveries_rejected_total{reason="too_large",source="github"}'] == 2


def test_malformed_bodies_are_dead_lettered_redacted_with_their_reason_and_acknowledged(
        receiver: Receiver, kafka_bootstrap: str, prefix: str) -> None:
    secret = "AKIAIOSFODNN7EXAMPLE"  # noqa: S105 - AWS's documented example key id
    bodies = {
        "cdevents": b'{"context": {"type": "dev.cdevents.service.deployed.0.1.0"}, "key": "'
                    + secret.encode() + b'"',
        "claude-code": b"\xff\xfe not json at all " + secret.encode(),
        "github": b'{"ref": 42, "token": "' + secret.encode() + b'"}',  # JSON, but no push it maps to
    }
    run = uuid.uuid4().hex
    for source, body in bodies.items():
        headers = signed_headers(source, body, "push.json") | {"Idempotency-Key": f"{run}-{source}"}
        reply = receiver.post(source, body, headers)
        assert reply.status == 202 and reply.json()["status"] == "dead_lettered", reply.body
    consumer = KafkaConsumer(f"{prefix}dead_letter", bootstrap_servers=kafka_bootstrap,
                             auto_offset_reset="earliest", consumer_timeout_ms=3000,
                             group_id=f"t-{uuid.uuid4().hex}")
    mine: dict[str, object] = {}
    try:
        for _ in range(20):
            for record in consumer:
                if record.key and record.key.decode().startswith(run):
                    mine[record.key.decode()] = record
            if len(mine) == len(bodies):
                break
    finally:
        consumer.close()
    assert len(mine) == len(bodies)
    reasons = {}
    for key, record in mine.items():
        headers = {k: v.decode() for k, v in record.headers}  # type: ignore[attr-defined]
        assert secret.encode() not in record.value  # type: ignore[attr-defined]
        assert b"[REDACTED:" in record.value  # type: ignore[attr-defined]
        assert headers["__connect.errors.exception.message"]
        assert headers["aftershock.webhook.signature"] == "verified"
        reasons[key.rsplit("-", 1)[-1]] = headers["__connect.errors.reason"]
        original = bodies[headers["__connect.errors.topic"].removeprefix("webhook:")]
        assert headers["aftershock.raw.sha256"] == hashlib.sha256(original).hexdigest()
    assert reasons == {"cdevents": "not_json", "code": "not_json", "github": "unmapped"}


def test_unconfigured_and_unknown_sources_are_refused_with_a_clear_body(receiver: Receiver) -> None:
    reply = receiver.post("aftershock", b"{}", {"Authorization": "Bearer x"})
    assert reply.status == 403 and "AFTERSHOCK_WEBHOOKS__AFTERSHOCK_TOKEN" in reply.json()["error"]
    reply = receiver.post("jenkins", b"{}")
    assert reply.status == 404 and "github" in reply.json()["sources"]
    assert receiver.request("GET", "/webhooks/github").status == 405


def test_health_readiness_and_metrics(receiver: Receiver) -> None:
    assert receiver.request("GET", "/healthz").status == 200
    ready = receiver.request("GET", "/readyz")
    assert ready.status == 200 and ready.json()["broker"] == "reachable"
    text = receiver.request("GET", "/metrics")
    assert text.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert "# TYPE aftershock_webhooks_deliveries_accepted_total counter" in text.body.decode()
    metrics = receiver.metrics()
    assert metrics["broker_reachable"] == 1
    receiver.wait_metric("spool_pending_records", lambda v: v == 0)
    shipped = receiver.metrics()
    assert shipped["events_shipped_total"] == shipped["events_spooled_total"] > 0
    assert shipped["lag_seconds"] == 0
