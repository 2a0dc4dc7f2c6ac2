"""The local jar broker: lifecycle through the CLI, and every failure it must explain."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from aftershock.broker.local import LocalBroker
from aftershock.errors import BrokerError
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
