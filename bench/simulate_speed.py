"""Simulator throughput: events/s generating, encoding and writing NDJSON, extrapolated to 10M.

Run: python bench/simulate_speed.py [--days N] [--scale F]
Measured in this one run: (1) generating the events as dicts, (2) encoding the same dicts with
the simulator's encoder (pydantic-core) and with the baseline plain ``json.dumps``; first of all
(3) the whole ``aftershock simulate --out`` path (generate + encode + write to a file).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from simulator.effects import Effects
from simulator.sinks import encode, paused_gc, to_file
from simulator.world import new_context, simulate

TEN_MILLION = 10_000_000


def _timed(label: str, count: int, began: float) -> float:
    took = time.perf_counter() - began
    print(f"{label:<34} {count:>10,} events {took:8.2f} s {count / took:>12,.0f} events/s")
    return took


def _baseline(events: list[dict[str, Any]]) -> int:
    size = 0
    for event in events:
        size += len((json.dumps(event, separators=(",", ":")) + "\n").encode())
    return size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--scale", type=float, default=2.0, help="multiply daily volumes")
    args = parser.parse_args()
    effects = Effects()
    effects = effects.model_copy(update={"changes_per_day": effects.changes_per_day * args.scale,
                                         "agent_actions_per_day": effects.agent_actions_per_day * args.scale})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sim.ndjson"
        began = time.perf_counter()
        with paused_gc():
            count = to_file(path, simulate(new_context(effects, 1, args.days)), lambda n: None)
        total = _timed("simulate --out (end to end)", count, began)
    began = time.perf_counter()
    with paused_gc():
        events = list(simulate(new_context(effects, 1, args.days)))
    gen = _timed("generate dicts", len(events), began)
    began = time.perf_counter()
    ours = sum(len(line) for line in encode(events))
    enc = _timed("encode: pydantic-core to_json", len(events), began)
    began = time.perf_counter()
    base = _baseline(events)
    plain = _timed("encode: json.dumps (baseline)", len(events), began)
    changes = sum(e["event_type"] == "change" for e in events)
    print(f"\nencoder speed-up over json.dumps: {plain / enc:.2f}x ({ours:,} vs {base:,} bytes)")
    print(f"generation share of end-to-end time: {gen / total:.0%}")
    print(f"change events: {changes / len(events):.1%} of all events")
    print(f"extrapolated time for 10M events: {total / count * TEN_MILLION / 60:.1f} min "
          f"(end to end, one core)")


if __name__ == "__main__":
    main()
