"""Emitter logic that needs no broker: validation, keys, headers, size, redaction, spooling offline."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from aftershock.errors import ConfigError, EventError
from aftershock.sdk.emitter import Emitter
from aftershock.sdk.records import Route, event_key, to_record, validate
from aftershock.sdk.spool import Spool
from aftershock.settings import EVENT_TYPES, KafkaSettings
from schemas.common import SCHEMA_VERSION
from schemas.examples import example_event


def _closed_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{sock.getsockname()[1]}"


def test_invalid_event_names_the_field() -> None:
    data = example_event("change").model_dump(mode="json")
    del data["payload"]["author"]
    with pytest.raises(EventError, match=r"invalid change event: \$\.payload\.author: Field required"):
        validate(data)
    with pytest.raises(EventError, match=r"\$\.occurred_at"):
        validate(json.dumps(example_event("incident").model_dump(mode="json")
                            | {"occurred_at": "2026-11-02T14:03:11"}))


@pytest.mark.parametrize(("event_type", "field", "value"), [
    ("incident", "incident_id", "inc-9"), ("deployment", "deployment_id", "dep-9"),
    ("change", "change_id", "acme/x@1"), ("agent_action", "session_id", "sess-9"),
])
def test_key_follows_the_lifecycle(event_type: str, field: str, value: str) -> None:
    event = example_event(event_type, **{field: value})
    fallback = example_event(event_type, **{field: None}, source_ref=None)
    assert event_key(event) == value
    assert event_key(fallback) == fallback.event_id
    route = Route("audit.x", event_type, "1.0")  # the emitter's per-type key: the same, encoded
    assert (route.key(event), route.key(fallback)) == (value.encode(), fallback.event_id.encode())


def test_record_has_topic_headers_and_json_value() -> None:
    kafka = KafkaSettings(topic_prefix="x.")
    record = to_record(example_event("gate_decision"), kafka.topic_for)
    assert record.topic == "x.gate_decisions" and record.key == b"acme/payments#42"
    assert dict(record.headers) == {"content-type": b"application/json", "event-type": b"gate_decision",
                                    "schema-version": SCHEMA_VERSION.encode()}
    assert json.loads(record.value)["event_type"] == "gate_decision"


def test_offline_emitter_spools_redacted_events_in_order(tmp_path: Path) -> None:
    kafka = KafkaSettings()
    emitter = Emitter(_closed_port(), tmp_path, kafka.topic_for)
    leaky = example_event("agent_action").payload.model_copy(update={"command": "TOKEN=abc123 deploy"})
    events = [example_event(t, event_id=f"e{i}") for i, t in enumerate(EVENT_TYPES)]
    events.append(example_event("agent_action", event_id="leak", payload=leaky.model_dump()))
    for event in events:
        emitter.emit(event)
    emitter.close()
    spooled = [json.loads(r.value) for _, r in emitter.spool.pending()]
    assert [e["event_id"] for e in spooled] == [e.event_id for e in events]
    assert "abc123" not in spooled[-1]["payload"]["command"]
    assert spooled[-1]["redactions"][-1] == {"path": "$.payload.command", "kind": "secret_assignment"}


def test_spool_first_emit_returns_once_the_event_is_in_the_spool(tmp_path: Path) -> None:
    kafka = KafkaSettings()
    emitter = Emitter(_closed_port(), tmp_path, kafka.topic_for, durability="spool_first")
    events = [example_event(t, event_id=f"e{i}") for i, t in enumerate(EVENT_TYPES)]
    for event in events:
        emitter.emit(event)
        # read by a second reader of the folder, as a restarted process would
        assert [json.loads(r.value)["event_id"] for _, r in Spool(tmp_path).pending()][-1] == event.event_id
    assert emitter.spooled == len(events)
    emitter.close()
    assert emitter.spooled == len(events)  # no broker: they wait for the next emitter


def test_an_event_too_large_for_kafka_is_refused_before_it_is_accepted(tmp_path: Path) -> None:
    emitter = Emitter(_closed_port(), tmp_path, KafkaSettings().topic_for,
                      producer_config={"max_request_size": 4096})
    big = example_event("incident", event_id="big", attributes={f"log{i}": "x" * 1000 for i in range(5)})
    with pytest.raises(EventError, match=r"incident event big is too large for Kafka \(\d+ bytes.*4096"):
        emitter.emit(big)
    emitter.emit(example_event("incident", event_id="small"))
    emitter.close()
    assert [json.loads(r.value)["event_id"] for _, r in emitter.spool.pending()] == ["small"]


def test_unknown_durability_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"durability 'fsync'.*direct, spool_first"):
        Emitter(_closed_port(), tmp_path, KafkaSettings().topic_for, durability="fsync")
