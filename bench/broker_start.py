"""Broker start time: cold (jars downloaded by Maven into empty caches) vs warm (jars cached).

Run: python bench/broker_start.py [--runs N]
Prints each phase and the cold/warm ratio, all measured in this one run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from aftershock.broker.local import LocalBroker
from aftershock.broker.toolchain import ensure_jars
from aftershock.settings import BrokerSettings


def _start_stop(settings: BrokerSettings) -> float:
    broker = LocalBroker(settings)
    began = time.perf_counter()
    broker.start()
    took = time.perf_counter() - began
    broker.stop()
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        os.environ["MAVEN_OPTS"] = f"-Dmaven.repo.local={root / 'm2'}"  # an empty Maven cache
        began = time.perf_counter()
        ensure_jars(root / "cache", BrokerSettings().kafka_version)
        fetch = time.perf_counter() - began
        del os.environ["MAVEN_OPTS"]
        cold = fetch + _start_stop(BrokerSettings(cache_dir=root / "cache", state_dir=root / "s0"))
        warm = [_start_stop(BrokerSettings(cache_dir=root / "cache", state_dir=root / f"s{i + 1}"))
                for i in range(runs)]
        restart = [_start_stop(BrokerSettings(cache_dir=root / "cache", state_dir=root / "s1"))
                   for _ in range(runs)]
    w, r = statistics.median(warm), statistics.median(restart)
    print(f"jar download (empty Maven cache)   {fetch:6.2f} s")
    print(f"cold start (download + format + start) {cold:6.2f} s")
    print(f"warm start (cached jars, new state) median of {runs}: {w:6.2f} s")
    print(f"restart (cached jars, formatted state) median of {runs}: {r:6.2f} s")
    print(f"ratio cold/warm: {cold / w:.1f}x   restart/warm: {r / w:.2f}x")


if __name__ == "__main__":
    main()
