"""Shared state of one simulation run: the random stream, ids, the clock and the emission buffer.

Events are plain JSON-ready dicts. Each is put in the bucket of the day it is *emitted*
(``emitted_at``, which late data pushes hours or days past ``occurred_at``); buckets are
released in order once no event can land in them any more, so the stream is ordered by
emission time and the same seed always yields the same bytes.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import accumulate
from typing import Any, TypeVar

from simulator.effects import Effects
from simulator.org import Org

DAY = 86_400.0
MAX_LATE = 3 * DAY
T = TypeVar("T")
HORIZON_DAYS = 10
"""No event is emitted more than this many days after the day that caused it."""
ASIDE_SEQ = 10**15
"""Sequence numbers of events emitted aside start here (they never equal a main one)."""


@dataclass
class Truth:
    changes_bad: list[str] = field(default_factory=list)
    incidents: list[dict[str, str | None]] = field(default_factory=list)
    changes_missing: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    gate_flagged: list[str] = field(default_factory=list)
    gate_overridden: list[str] = field(default_factory=list)


@dataclass
class Ctx:
    rng: random.Random
    effects: Effects
    org: Org
    seed: int
    epoch: int
    days: int = 1
    truth: Truth = field(default_factory=Truth)
    buckets: dict[int, list[tuple[float, int, dict[str, Any]]]] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    cum_weights: dict[str, list[float]] = field(default_factory=dict)
    day_prefix: dict[int, str] = field(default_factory=dict)

    def next(self, kind: str) -> int:
        value = self.counters.get(kind, 0) + 1
        self.counters[kind] = value
        return value

    def pick(self, key: str, population: Sequence[T], weights: Sequence[float]) -> T:
        """A weighted draw; cumulative weights are computed once per ``key``."""
        cum = self.cum_weights.get(key)
        if cum is None:
            cum = self.cum_weights[key] = list(accumulate(weights))
        return self.rng.choices(population, cum_weights=cum)[0]

    def iso(self, t: float) -> str:
        day, second = divmod(self.epoch + int(t), 86_400)
        prefix = self.day_prefix.get(day)
        if prefix is None:
            prefix = self.day_prefix[day] = time.strftime("%Y-%m-%dT", time.gmtime(day * 86_400))
        hour, rest = divmod(second, 3600)
        return f"{prefix}{hour:02d}:{rest // 60:02d}:{rest % 60:02d}Z"

    def lognormal(self, median: float, sigma: float, cap: float) -> float:
        return min(median * math.exp(self.rng.gauss(0.0, sigma)), cap)

    def emit(self, event_type: str, t: float, envelope: dict[str, Any], payload: dict[str, Any]) -> str:
        """Stamp ids and times, then buffer the event for its emission day; returns its id."""
        seq = self.next("event")
        event_id = f"sim{self.seed}-{seq:09d}"
        delay = self.rng.uniform(1.0, 30.0)
        if self.rng.random() < self.effects.p_late:
            delay += self.lognormal(3 * 3600.0, 1.0, MAX_LATE)
        self.truth.counts[event_type] = self.truth.counts.get(event_type, 0) + 1
        event = {"event_id": event_id, "event_type": event_type, "occurred_at": self.iso(t),
                 "emitted_at": self.iso(t + delay), **envelope, "payload": payload}
        self.buckets.setdefault(int((t + delay) // DAY), []).append((t + delay, seq, event))
        return event_id

    def emit_aside(self, event_type: str, t: float, delay: float, envelope: dict[str, Any],
                   payload: dict[str, Any]) -> str:
        """Buffer an event whose emission delay the caller drew from a random stream of its own:
        the main stream, the main event ids and so every other event stay as they are."""
        n = self.next(f"aside:{event_type}")
        event_id = f"{event_type.split('_')[0]}{self.seed}-{n:09d}"
        self.truth.counts[event_type] = self.truth.counts.get(event_type, 0) + 1
        event = {"event_id": event_id, "event_type": event_type, "occurred_at": self.iso(t),
                 "emitted_at": self.iso(t + delay), **envelope, "payload": payload}
        self.buckets.setdefault(int((t + delay) // DAY), []).append((t + delay, ASIDE_SEQ + n, event))
        return event_id

    def release(self, before_day: int) -> list[dict[str, Any]]:
        """Events of every bucket before ``before_day``, in emission order."""
        ready: list[tuple[float, int, dict[str, Any]]] = []
        for day in sorted(d for d in self.buckets if d < before_day):
            ready.extend(sorted(self.buckets.pop(day)))
        return [item[2] for item in ready]


def epoch_of(start: str) -> int:
    """Seconds since 1970 of ``start`` (an ISO date, UTC midnight)."""
    return int(datetime.fromisoformat(start).replace(tzinfo=UTC).timestamp())
