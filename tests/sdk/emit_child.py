"""A service that emits numbered events and ends without ``close()``, for the SDK's exit tests.

Usage: python -m tests.sdk.emit_child BOOTSTRAP SPOOL_DIR TOPIC_PREFIX RUN PER_TYPE
           [--pause-at N] [--durability direct|spool_first] [--delivery-timeout-ms MS]
           [--exit-timeout-s S] [--then kill-wait]

Emits ``numbered_events(PER_TYPE, RUN)``. With ``--pause-at N`` it prints ``paused`` after N events
and waits for a line on stdin (the test stops the broker meanwhile). After the last event it prints
``emitted <spooled>``; then it returns from main without closing the Emitter (its exit handler
runs, then this script's, which prints ``exit <spooled>``), or with ``--then kill-wait`` waits to
be killed. Each printed line is flushed at once.
"""

from __future__ import annotations

import argparse
import atexit
import sys
from pathlib import Path

from aftershock.sdk.emitter import Emitter
from aftershock.settings import KafkaSettings
from tests.sdk.helpers import numbered_events


def say(line: str) -> None:
    print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    for name in ("bootstrap", "spool", "prefix", "run"):
        parser.add_argument(name)
    parser.add_argument("per_type", type=int)
    parser.add_argument("--pause-at", type=int)
    parser.add_argument("--durability", default="direct")
    parser.add_argument("--delivery-timeout-ms", type=int, default=30_000)
    parser.add_argument("--exit-timeout-s", type=float, default=5.0)
    parser.add_argument("--then", choices=("exit", "kill-wait"), default="exit")
    args = parser.parse_args()
    kafka = KafkaSettings(topic_prefix=args.prefix)
    events = numbered_events(args.per_type, args.run)
    emitter: list[Emitter] = []
    # registered before the Emitter's own exit handler, so it runs after it (last in, first out)
    atexit.register(lambda: say(f"exit {emitter[0].spooled}") if emitter else None)
    emitter.append(Emitter(args.bootstrap, Path(args.spool), kafka.topic_for, durability=args.durability,
                           delivery_timeout_ms=args.delivery_timeout_ms, exit_timeout_s=args.exit_timeout_s))
    for i, event in enumerate(events):
        if i == args.pause_at:
            say("paused")
            sys.stdin.readline()
        emitter[0].emit(event)
    say(f"emitted {emitter[0].spooled}")
    if args.then == "kill-wait":
        sys.stdin.readline()  # the test kills this process before it sends a line


if __name__ == "__main__":
    main()
