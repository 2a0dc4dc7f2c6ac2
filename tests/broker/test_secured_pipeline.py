"""The pipeline on an authenticated broker: SDK emitter, `aftershock import` and the ingest worker
over SASL_SSL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) and over SSL with a client certificate; refused
credentials end in one line and exit 3 without the secret."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic

from aftershock.broker.secured import Secured
from aftershock.errors import ExitCode
from aftershock.kafka_client import client_config, connect
from aftershock.sdk.emitter import Emitter
from aftershock.settings import EVENT_TYPES, KafkaSettings, Settings
from lake.reader import open_lake
from tests.broker.secured import MODES, security_env
from tests.ingest.worker_proc import start_worker, worker_env
from tests.sdk.helpers import numbered_events

pytestmark = pytest.mark.kafka


def _env_settings(env: dict[str, str], prefix: str) -> KafkaSettings:
    """The KafkaSettings the command line builds from ``env``."""
    fields = {k.removeprefix("AFTERSHOCK_KAFKA__").lower(): v for k, v in env.items()
              if k.startswith("AFTERSHOCK_KAFKA__")}
    return KafkaSettings.model_validate(fields | {"topic_prefix": prefix})


def _cli(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("AFTERSHOCK_")}
    return subprocess.Popen([sys.executable, "-m", "aftershock", *args], env=base | env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _hook_payloads(path: Path, count: int) -> Path:
    """``count`` Claude Code PreToolUse hook payloads, one per line (distinct tool calls)."""
    lines = [json.dumps({"session_id": "s-secured", "cwd": "/work", "hook_event_name": "PreToolUse",
                         "tool_name": "Bash", "tool_input": {"command": f"make test-{i}"},
                         "tool_use_id": f"toolu_{uuid.uuid4().hex}"}) for i in range(count)]
    path.write_text("\n".join(lines) + "\n")
    return path


def _create_topics(kafka: KafkaSettings, bootstrap: str) -> None:
    admin = connect(KafkaAdminClient, client_config(kafka, bootstrap))
    try:
        admin.create_topics([NewTopic(t, 2, 1) for t in [*kafka.audit_topics(), kafka.dead_letter_topic]])
    finally:
        admin.close()


def _lake_rows(lake: Path) -> tuple[set[str], list[str], list[str]]:
    """(every event id, the agent actions' sources, the dead letters' reasons) in ``lake``."""
    con = open_lake(lake)
    ids = {r[0] for t in EVENT_TYPES for r in con.execute(f"SELECT event_id FROM {t}").fetchall()}  # noqa: S608
    sources = [r[0] for r in con.execute("SELECT source FROM agent_action").fetchall()]
    reasons = [r[0] for r in con.execute("SELECT reason FROM dead_letter").fetchall()]
    return ids, sources, reasons


def _read_all(kafka: KafkaSettings, bootstrap: str, topic: str) -> list[bytes]:
    consumer = connect(KafkaConsumer, client_config(kafka, bootstrap), auto_offset_reset="earliest",
                       enable_auto_commit=False, consumer_timeout_ms=5000)
    try:
        consumer.subscribe([topic])
        return [record.value for record in consumer]
    finally:
        consumer.close()


@pytest.mark.parametrize("mode", MODES)
def test_emitter_import_and_worker_land_events_over_the_secured_listener(
        secured: Secured, mode: str, topic_prefix: str, group_id: str, tmp_path: Path) -> None:
    env = security_env(secured, mode)
    kafka = _env_settings(env, topic_prefix)
    bootstrap = env["AFTERSHOCK_KAFKA__BOOTSTRAP_SERVERS"]
    _create_topics(kafka, bootstrap)

    events = numbered_events(4)
    emitter = Emitter.from_settings(Settings(kafka=kafka), tmp_path / "spool")
    for event in events:
        emitter.emit(event)
    emitter.flush(timeout=60)
    emitter.close()
    assert emitter.spooled == 0

    run_env = env | {"AFTERSHOCK_KAFKA__TOPIC_PREFIX": topic_prefix}
    imported = _cli(["import", "--source", "claude-code", "--spool", str(tmp_path / "import-spool"),
                     str(_hook_payloads(tmp_path / "hooks.ndjson", 3))], run_env)
    out, err = imported.communicate(timeout=120)
    assert imported.returncode == 0, err
    assert f"sent to {topic_prefix}* on {bootstrap}" in err

    producer = connect(KafkaProducer, client_config(kafka, bootstrap), acks="all")
    producer.send(kafka.topic_for("change"), b"{not json").get(timeout=30)
    producer.close()

    log = tmp_path / "worker.log"
    worker = start_worker(tmp_path / "lake", worker_env(bootstrap, topic_prefix, group_id) | env, log)
    assert worker.wait(timeout=180) == 0, log.read_text()[-3000:]
    ids, sources, reasons = _lake_rows(tmp_path / "lake")
    assert ids >= {e.event_id for e in events} and len(ids) == len(events) + 3
    assert sources.count("claude-code") == 3
    assert reasons == ["undecodable"]
    assert _read_all(kafka, bootstrap, kafka.dead_letter_topic) == [b"{not json"]


def test_refused_credentials_fail_with_one_line_exit_3_and_no_secret(
        secured: Secured, topic_prefix: str, group_id: str, tmp_path: Path) -> None:
    wrong = f"wrong-{uuid.uuid4().hex}"
    payloads = str(_hook_payloads(tmp_path / "hooks.ndjson", 2))
    bad_sasl = security_env(secured, "SCRAM-SHA-256", sasl_password=wrong)
    no_cert = {k: v for k, v in security_env(secured, "SSL").items()
               if not k.startswith(("AFTERSHOCK_KAFKA__SSL_CERTFILE", "AFTERSHOCK_KAFKA__SSL_KEYFILE",
                                    "AFTERSHOCK_KAFKA__SSL_PASSWORD"))}
    runs = {
        "import, wrong SASL password": (_cli(["import", "--source", "claude-code", "--spool",
                                              str(tmp_path / "spool"), payloads], bad_sasl),
                                        "aftershock: Kafka refused the SASL credentials (", "SASL_PASSWORD"),
        "worker, wrong SASL password": (_cli(["ingest", "run", "--lake", str(tmp_path / "lake"),
                                              "--until-idle", "3"],
                                             worker_env("", topic_prefix, group_id) | bad_sasl),
                                        "aftershock: Kafka refused the SASL credentials (", "SASL_PASSWORD"),
        "import, no client certificate": (_cli(["import", "--source", "claude-code", "--spool",
                                                str(tmp_path / "spool-ssl"), payloads], no_cert),
                                          "aftershock: the TLS handshake with Kafka failed (",
                                          "SSL_CERTFILE"),
    }
    secrets = [wrong, secured.user("SCRAM-SHA-256").password, secured.tls.secrets.key_password]
    for what, (process, expected, setting) in runs.items():
        out, err = process.communicate(timeout=180)
        assert process.returncode == ExitCode.BROKER, (what, out, err)
        assert out == "" and len(err.strip().splitlines()) == 1, (what, out, err)
        assert err.startswith(expected) and setting in err, (what, err)
        assert not any(secret in out + err for secret in secrets), what
