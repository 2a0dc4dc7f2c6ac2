"""Offset ranges that failed to land: retried alone, halved while they fail, never a restart loop.

A batch fails when its landing raises an error that is neither the lake's nor the bad-data
policy's, or when the landing process dies on it (a crash in a native library). The worker then
reads the partition again from the manifest and, through this bookkeeping, hands the range over
differently:

1. the first failure of a batch: the same range again, alone (nothing else in flight), in case
   the failure was not the batch's (the process was killed from outside, memory ran short);
2. a range that failed alone is searched by halves, each handed over alone: a failing half is
   halved again; when the first half of a failing range lands, the culprit is in the second;
3. a single record that fails alone: landed *unread* as a dead letter (reason ``unlandable``).

Past the end of the first failed range the partition is read as usual again. A record that
kills the landing process costs about 3 + log2(batch) landing attempts, after which every other
record of its batch has landed and it is a dead letter.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass


@dataclass
class Suspect:
    """One partition's failed range ``[.., end)``, handed over ``size`` records at a time; the
    culprit lies before ``bad_end`` (the end of the last range that failed alone), when known."""

    end: int
    size: int
    bad_end: int | None = None
    quarantine: int | None = None  # the offset of a lone record to land unread


class Suspects:
    """The failed ranges of the partitions (keys: whatever names a partition)."""

    def __init__(self) -> None:
        self.ranges: dict[Hashable, Suspect] = {}
        self.retried = self.quarantined = 0

    def failed(self, tp: Hashable, start: int, next_offset: int) -> str:
        """Record that ``[start, next_offset)`` of ``tp`` failed; says what happens next."""
        suspect = self.ranges.get(tp)
        length = next_offset - start
        self.retried += 1
        if suspect is None or start >= suspect.end:
            self.ranges[tp] = Suspect(next_offset, length)
            return "retrying the range alone"
        suspect.bad_end = next_offset
        if length <= 1:
            suspect.quarantine = start
            return f"dead-lettering offset {start} unread next (it failed alone)"
        suspect.size = (length + 1) // 2
        return f"searching it by halves: next {suspect.size} records alone"

    def piece_end(self, tp: Hashable, start: int) -> int | None:
        """Where the batch of ``tp`` starting at ``start`` must end (None: no limit)."""
        suspect = self.ranges.get(tp)
        if suspect is None or start >= suspect.end:
            return None
        return min(suspect.end, start + (1 if suspect.quarantine == start else suspect.size))

    def quarantine(self, tp: Hashable, start: int) -> bool:
        """Whether the batch of ``tp`` starting at ``start`` is landed unread."""
        suspect = self.ranges.get(tp)
        return suspect is not None and suspect.quarantine == start

    def landed(self, tp: Hashable, start: int, next_offset: int) -> None:
        """``[start, next_offset)`` of ``tp`` is in the lake."""
        suspect = self.ranges.get(tp)
        if suspect is None:
            return
        if suspect.quarantine == start:
            suspect.quarantine = None
            self.quarantined += 1
        if next_offset >= suspect.end:
            del self.ranges[tp]
        elif suspect.bad_end is not None and next_offset < suspect.bad_end:
            suspect.size = (suspect.bad_end - next_offset + 1) // 2  # the culprit is in the rest
        else:
            suspect.bad_end, suspect.size = None, suspect.end - next_offset

    def forget(self, partitions: Iterable[Hashable]) -> None:
        for tp in partitions:
            self.ranges.pop(tp, None)
