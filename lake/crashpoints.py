"""A test hook that kills the process at a named point of the landing protocol.

``AFTERSHOCK_CRASH_POINT=<point>:<n>`` makes the n-th arrival at ``<point>`` SIGKILL the process
(no cleanup, no flush), so the crash tests can hit the exact moments that matter:
``mid_write`` (a staged file written, not yet published), ``after_publish`` (files published, no
manifest entry yet), ``before_entry`` (on object storage: intent anchored, entry not created),
``before_head`` (entry appended, its signed head not yet in the witness),
``after_manifest`` (entry appended, offsets not yet committed to Kafka) and
``compact_after_publish`` (a compaction's files published, its ``replace`` entry not written).
Unset, :func:`reach` costs one dictionary lookup. The worker's landing process names the poll
process with :func:`die_with`, so a crash point reached while landing kills the whole worker.
"""

from __future__ import annotations

import os
import signal

POINTS = ("mid_write", "after_publish", "before_entry", "before_head", "after_manifest",
          "compact_after_publish")
_ENV = "AFTERSHOCK_CRASH_POINT"
_counts: dict[str, int] = {}
_partners: list[int] = []


def _target() -> tuple[str, int] | None:
    spec = os.environ.get(_ENV)
    if not spec:
        return None
    point, _, count = spec.partition(":")
    return point, int(count or "1")


_TARGET = _target()


def die_with(pid: int) -> None:
    """Also SIGKILL process ``pid`` (first) when a crash point is reached in this one."""
    _partners.append(pid)


def reach(point: str) -> None:
    """Record an arrival at ``point``; SIGKILL this process if it is the configured one."""
    if _TARGET is None or _TARGET[0] != point:
        return
    _counts[point] = _counts.get(point, 0) + 1
    if _counts[point] >= _TARGET[1]:
        for pid in _partners:
            os.kill(pid, signal.SIGKILL)
        os.kill(os.getpid(), signal.SIGKILL)
