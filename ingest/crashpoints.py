"""A test hook that kills the process at a named point of the landing protocol.

``AFTERSHOCK_CRASH_POINT=<point>:<n>`` makes the n-th arrival at ``<point>`` SIGKILL the process
(no cleanup, no flush), so the crash tests can hit the exact moments that matter:
``mid_write`` (a staged file written, not yet published), ``after_publish`` (files published, no
manifest entry yet) and ``after_manifest`` (entry appended, offsets not yet committed to Kafka).
Unset, :func:`reach` costs one dictionary lookup.
"""

from __future__ import annotations

import os
import signal

POINTS = ("mid_write", "after_publish", "after_manifest")
_ENV = "AFTERSHOCK_CRASH_POINT"
_counts: dict[str, int] = {}


def _target() -> tuple[str, int] | None:
    spec = os.environ.get(_ENV)
    if not spec:
        return None
    point, _, count = spec.partition(":")
    return point, int(count or "1")


_TARGET = _target()


def reach(point: str) -> None:
    """Record an arrival at ``point``; SIGKILL this process if it is the configured one."""
    if _TARGET is None or _TARGET[0] != point:
        return
    _counts[point] = _counts.get(point, 0) + 1
    if _counts[point] >= _TARGET[1]:
        os.kill(os.getpid(), signal.SIGKILL)
