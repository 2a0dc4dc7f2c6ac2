"""A service process that ends without ``close()`` loses no event it emitted (real broker, real exits).

The service is ``tests.sdk.emit_child`` in its own process; the test owns the broker, stops it
mid-stream, and afterwards counts what reached Kafka once a new Emitter replayed the spool.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from aftershock.broker.local import BrokerState, LocalBroker
from aftershock.sdk.emitter import Emitter
from aftershock.sdk.spool import Spool
from aftershock.settings import BrokerSettings, KafkaSettings
from tests.sdk.helpers import numbered_events, read_topics

pytestmark = [pytest.mark.kafka, pytest.mark.slow]
REPO = Path(__file__).resolve().parents[2]


class Child:
    """``tests.sdk.emit_child`` running; ``line()`` reads its next report."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.sdk.emit_child", *args], cwd=REPO, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def line(self, word: str) -> str:
        """The rest of the next line, which must start with ``word``."""
        assert self.proc.stdout is not None
        got = self.proc.stdout.readline().strip()
        if not got.startswith(word):
            self.proc.kill()
            _, err = self.proc.communicate(timeout=60)
            pytest.fail(f"emit_child said {got!r}, expected {word!r}; stderr: {err[-3000:]}")
        return got.removeprefix(word).strip()

    def go(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()

    def finish(self) -> dict[str, str]:
        """Its remaining reports by first word, once it exited (it must exit on its own, with 0)."""
        out, err = self.proc.communicate(timeout=600)
        assert self.proc.returncode == 0, err[-3000:]
        return dict(line.partition(" ")[::2] for line in out.splitlines())


@contextmanager
def own_broker(work: Path) -> Iterator[tuple[LocalBroker, BrokerState]]:
    broker = LocalBroker(BrokerSettings(state_dir=work / "broker", stop_timeout_s=1))
    state, _ = broker.start()
    try:
        yield broker, state
    finally:
        broker.stop()


def kill(broker: LocalBroker, pid: int) -> None:
    """Stop the broker dead: frozen at once (no goodbye to its clients), then stopped, which ends in a
    SIGKILL after its stop_timeout_s (a frozen process does not act on SIGTERM)."""
    os.kill(pid, signal.SIGSTOP)
    assert broker.stop()


def wait_port_free(port: int, timeout_s: float = 120) -> None:
    """A killed broker leaves its ports in TIME_WAIT for up to a minute; the restart needs them."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
                return
            except OSError:
                time.sleep(1)


def spooled_ids(spool_dir: Path) -> list[str]:
    return [json.loads(record.value)["event_id"] for _, record in Spool(spool_dir).pending()]


def replay_and_read(bootstrap: str, spool_dir: Path, kafka: KafkaSettings, expected: int) -> set[str]:
    """A new Emitter on the spool (as a restarted service) replays it; the distinct ids on the topics."""
    replayer = Emitter(bootstrap, spool_dir, kafka.topic_for)
    replayer.close()
    assert replayer.spooled == 0
    return {r["event_id"] for r in read_topics(bootstrap, kafka, expected)}


def test_broker_killed_mid_stream_then_exit_without_close_loses_nothing(topic_prefix: str,
                                                                        tmp_path: Path) -> None:
    kafka, spool_dir, run = KafkaSettings(topic_prefix=topic_prefix), tmp_path / "spool", uuid.uuid4().hex[:8]
    sent = {e.event_id for e in numbered_events(2_000, run)}  # 12,000 events, 6 types interleaved
    with own_broker(tmp_path) as (broker, state):
        # a delivery timeout far longer than the run: only noticing the refused connection spools early
        child = Child(state.bootstrap, str(spool_dir), topic_prefix, run, "2000", "--pause-at", "5000",
                      "--delivery-timeout-ms", "600000")
        child.line("paused")
        kill(broker, state.pid or 0)  # mid-stream, with records in flight
        child.go()
        reports = child.finish()
        in_spool = spooled_ids(spool_dir)
        assert int(reports["emitted"]) > 0  # spooled while the service was still emitting
        assert int(reports["exit"]) == len(in_spool) == len(set(in_spool)) == len(Spool(spool_dir))
        wait_port_free(state.port)
        wait_port_free(state.controller_port)
        state, restarted = broker.start()
        assert restarted
        before_replay = {r["event_id"] for r in read_topics(state.bootstrap, kafka, sent - set(in_spool))}
        assert before_replay | set(in_spool) == sent  # each on Kafka or in the spool
        assert replay_and_read(state.bootstrap, spool_dir, kafka, len(sent)) == sent


def test_exit_without_close_spools_what_an_unresponsive_broker_did_not_acknowledge(
    topic_prefix: str, tmp_path: Path
) -> None:
    kafka, spool_dir, run = KafkaSettings(topic_prefix=topic_prefix), tmp_path / "spool", uuid.uuid4().hex[:8]
    sent = {e.event_id for e in numbered_events(400, run)}
    with own_broker(tmp_path) as (_, state):
        pid = state.pid or 0
        child = Child(state.bootstrap, str(spool_dir), topic_prefix, run, "400", "--pause-at", "1500",
                      "--exit-timeout-s", "2")
        child.line("paused")
        os.kill(pid, signal.SIGSTOP)  # it still accepts connections, but answers nothing
        try:
            child.go()
            reports = child.finish()  # the exit handler gave up waiting: the process ended
        finally:
            os.kill(pid, signal.SIGCONT)
        assert int(reports["exit"]) == len(spooled_ids(spool_dir)) > 0
        assert replay_and_read(state.bootstrap, spool_dir, kafka, len(sent)) == sent


def test_spool_first_events_survive_kill_9(kafka_bootstrap: str, topic_prefix: str, tmp_path: Path) -> None:
    kafka, spool_dir, run = KafkaSettings(topic_prefix=topic_prefix), tmp_path / "spool", uuid.uuid4().hex[:8]
    sent = {e.event_id for e in numbered_events(200, run)}
    child = Child(kafka_bootstrap, str(spool_dir), topic_prefix, run, "200", "--durability", "spool_first",
                  "--then", "kill-wait")
    child.line("emitted")
    child.proc.send_signal(signal.SIGKILL)  # at once: the shipper is still sending
    child.proc.communicate(timeout=60)
    assert child.proc.returncode == -signal.SIGKILL
    assert replay_and_read(kafka_bootstrap, spool_dir, kafka, len(sent)) == sent
