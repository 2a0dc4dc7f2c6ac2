"""The local jar broker: lifecycle through the CLI, and every failure it must explain."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from aftershock.broker import toolchain
from aftershock.broker.local import LocalBroker
from aftershock.errors import BrokerError, ToolchainError
from aftershock.settings import BrokerSettings


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aftershock", *args], capture_output=True, text=True,
        env={**os.environ, **env}, timeout=300, check=False,
    )


@pytest.mark.kafka
def test_start_status_reuse_stop_and_data_survives_restart(tmp_path: Path) -> None:
    env = {"AFTERSHOCK_BROKER__STATE_DIR": str(tmp_path / "broker")}
    assert _cli("kafka", "status", env=env).returncode == 3

    first = _cli("kafka", "start", env=env)
    assert first.returncode == 0, first.stderr
    bootstrap = first.stdout.strip()
    assert bootstrap.startswith("127.0.0.1:")
    again = _cli("kafka", "start", env=env)
    assert again.stdout.strip() == bootstrap
    assert "already running" in again.stderr
    assert _cli("kafka", "status", env=env).stdout.strip() == bootstrap

    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    meta = producer.send("persist", value=b"kept").get(timeout=30)
    producer.close()

    assert _cli("kafka", "stop", env=env).returncode == 0
    assert _cli("kafka", "status", env=env).returncode == 3
    assert "no broker was running" in _cli("kafka", "stop", env=env).stderr

    restarted = _cli("kafka", "start", env=env)
    assert restarted.stdout.strip() == bootstrap, restarted.stderr
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, consumer_timeout_ms=15_000)
    consumer.assign([TopicPartition("persist", meta.partition)])
    consumer.seek(TopicPartition("persist", meta.partition), meta.offset)
    values = [r.value for r in consumer]
    consumer.close()
    assert _cli("kafka", "stop", env=env).returncode == 0
    assert values == [b"kept"]
    assert "Kafka Server started" in (tmp_path / "broker" / "broker.log").read_text()


def test_port_in_use_is_named(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        broker = LocalBroker(BrokerSettings(state_dir=tmp_path, port=port))
        with pytest.raises(BrokerError, match=f"port {port} .* in use"):
            broker.start()


def test_broker_crash_on_start_reports_log_tail(tmp_path: Path) -> None:
    broker = LocalBroker(BrokerSettings(state_dir=tmp_path, heap="1m", start_timeout_s=60))
    with pytest.raises(BrokerError) as err:
        broker.start()
    text = str(err.value)
    assert "heap" in text.lower()
    assert broker.status() is None


def _fake_tool(folder: Path, name: str, script: str) -> None:
    folder.mkdir(exist_ok=True)
    tool = folder / name
    tool.write_text("#!/bin/sh\n" + script)
    tool.chmod(0o755)


def test_java_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ToolchainError, match="java not found .* install OpenJDK 17"):
        toolchain.find_java()


def test_java_too_old(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_tool(tmp_path, "java", "echo 'openjdk version \"11.0.22\" 2024-01-16' >&2\n")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ToolchainError, match="Java 11; Kafka 4.x needs Java 17"):
        toolchain.find_java()


def test_maven_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ToolchainError, match="mvn not found"):
        toolchain.ensure_jars(tmp_path / "cache", "4.3.1")


def test_maven_central_unreachable_leaves_no_half_jar_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_tool(tmp_path / "bin", "mvn",
               "echo '[ERROR] Could not transfer artifact: Connect to repo.maven.apache.org "
               "failed: Connection refused'\nexit 1\n")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    with pytest.raises(ToolchainError, match="Maven Central reachable.*Connection refused"):
        toolchain.ensure_jars(tmp_path / "cache", "4.3.1")
    assert list((tmp_path / "cache" / "kafka-4.3.1").iterdir()) == []
