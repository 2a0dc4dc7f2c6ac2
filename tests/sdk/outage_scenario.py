"""Emit through a broker that is SIGKILLed mid-way and restarted; print what reached the topics.

Run by ``test_emitter_broker.test_broker_killed_mid_way_loses_nothing`` in its own process:
kafka-python (3.0.12) leaves the sockets of refused reconnects open until the interpreter exits,
which pytest would report as ResourceWarnings of an unrelated test.
Usage: python -m tests.sdk.outage_scenario WORK_DIR TOPIC_PREFIX PER_TYPE
"""

from __future__ import annotations

import json
import signal
import socket
import sys
import time
from pathlib import Path

from aftershock.broker.local import LocalBroker
from aftershock.sdk.emitter import Emitter
from aftershock.settings import BrokerSettings, KafkaSettings
from tests.sdk.helpers import numbered_events, read_topics


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


def run(work: Path, prefix: str, per_type: int) -> dict[str, object]:
    broker = LocalBroker(BrokerSettings(state_dir=work / "broker"))
    state, _ = broker.start()
    kafka = KafkaSettings(topic_prefix=prefix)
    events = numbered_events(per_type)
    half = len(events) // 2
    try:
        emitter = Emitter(state.bootstrap, work / "spool", kafka.topic_for, delivery_timeout_ms=4_000)
        for event in events[:half]:
            emitter.emit(event)
        proc = broker._proc  # this scenario's own broker process
        assert proc is not None and proc.pid == state.pid
        proc.send_signal(signal.SIGKILL)  # no goodbye: in-flight records are cut off
        proc.wait(timeout=30)
        for event in events[half:]:
            emitter.emit(event)
        emitter.close()
        spooled = emitter.spooled
        wait_port_free(state.port)
        wait_port_free(state.controller_port)
        state, restarted = broker.start()
        Emitter(state.bootstrap, work / "spool", kafka.topic_for).close()  # a new process replays
        got = read_topics(state.bootstrap, kafka, len(events))
    finally:
        broker.stop()
    return {"sent": sorted(e.event_id for e in events), "received": [r["event_id"] for r in got],
            "types": sorted({r["event_type"] for r in got}), "spooled_during_outage": spooled,
            "restarted": restarted}


if __name__ == "__main__":
    print(json.dumps(run(Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]))))
