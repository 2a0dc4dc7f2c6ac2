"""Which lagging partitions the worker reads at a time, so that a backlog lands in full batches.

Reading every partition of a backlog at once fills all their batches at the same pace, so the
bounded buffer (``buffer_max_records``) flushes many small batches: many small files, and a fixed
cost per file. While partitions lag by more than a batch, the worker reads ``backlog_partitions``
of them at a time, each until its batch is handed over, then the ones that waited longest (those
holding an unflushed batch first). Partitions that do not lag (live traffic) are always read, so
their latency does not change; ``backlog_partitions = 0`` reads every partition at once.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Generic, TypeVar

P = TypeVar("P", bound=Hashable)


class BacklogFocus(Generic[P]):
    """The partitions being read out of the lagging ones (pure bookkeeping, no consumer)."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.reading: list[P] = []
        self.turn = 0
        self.last_turn: dict[P, int] = {}

    def paused(self, lagging: set[P], holding: set[P]) -> set[P]:
        """Which of the ``lagging`` partitions to pause now (``holding``: those with a buffered,
        unflushed batch)."""
        if self.width <= 0:
            return set()
        self.reading = [p for p in self.reading if p in lagging]
        waiting = sorted(lagging.difference(self.reading),
                         key=lambda p: (p not in holding, self.last_turn.get(p, -1)))
        self.reading += waiting[:max(self.width - len(self.reading), 0)]
        return lagging.difference(self.reading)

    def handed_over(self, partition: P) -> None:
        """``partition``'s batch was flushed: its turn ends."""
        if partition in self.reading:
            self.reading.remove(partition)
            self.turn += 1
            self.last_turn[partition] = self.turn

    def forget(self, partitions: Iterable[P]) -> None:
        """``partitions`` were revoked."""
        for partition in partitions:
            self.last_turn.pop(partition, None)
            if partition in self.reading:
                self.reading.remove(partition)
