"""Counters of the receiver and their Prometheus text exposition (format 0.0.4)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable

PREFIX = "aftershock_webhooks_"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
Labels = tuple[tuple[str, str], ...]

HELP = {
    "deliveries_accepted_total": ("counter", "Deliveries acknowledged with 2xx (events spooled, "
                                  "dead-lettered or ignored), by source."),
    "deliveries_rejected_total": ("counter", "Deliveries refused, by source and reason."),
    "deliveries_duplicate_total": ("counter", "Deliveries whose id was seen within the horizon."),
    "deliveries_ignored_total": ("counter", "Deliveries acknowledged that carry no audit event "
                                 "(e.g. GitHub's ping), by source."),
    "events_spooled_total": ("counter", "Events appended to the spool (fsync'd)."),
    "dead_letters_total": ("counter", "Deliveries that could not be mapped, dead-lettered, by "
                           "source and reason."),
    "events_shipped_total": ("counter", "Spooled records Kafka acknowledged since start."),
    "spool_pending_records": ("gauge", "Records in the spool not acknowledged by Kafka yet."),
    "spool_pending_bytes": ("gauge", "Bytes of those records."),
    "lag_seconds": ("gauge", "Age of the oldest record not acknowledged by Kafka yet (0: none)."),
    "broker_reachable": ("gauge", "1 when a bootstrap address accepts connections."),
}


class Counters:
    """Thread-safe labelled counters."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: Counter[tuple[str, Labels]] = Counter()

    def add(self, name: str, amount: int = 1, **labels: str) -> None:
        with self._lock:
            self._values[(name, tuple(sorted(labels.items())))] += amount

    def get(self, name: str, **labels: str) -> int:
        with self._lock:
            return self._values[(name, tuple(sorted(labels.items())))]

    def samples(self) -> list[tuple[str, Labels, float]]:
        with self._lock:
            return [(name, labels, float(value)) for (name, labels), value in sorted(self._values.items())]


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def exposition(samples: Iterable[tuple[str, Labels, float]]) -> str:
    """The text format: HELP and TYPE once per metric, then its samples."""
    by_name: dict[str, list[tuple[Labels, float]]] = {name: [] for name in HELP}
    for name, labels, value in samples:
        by_name.setdefault(name, []).append((labels, value))
    lines: list[str] = []
    for name, rows in by_name.items():
        kind, text = HELP.get(name, ("untyped", name))
        lines += [f"# HELP {PREFIX}{name} {text}", f"# TYPE {PREFIX}{name} {kind}"]
        for labels, value in rows:
            inner = ",".join(f'{key}="{_escape(item)}"' for key, item in labels)
            lines.append(f"{PREFIX}{name}{{{inner}}} {_number(value)}" if inner
                         else f"{PREFIX}{name} {_number(value)}")
    return "\n".join(lines) + "\n"
