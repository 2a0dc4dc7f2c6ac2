"""Give memory freed by a landed batch back to the system, so the worker's RSS follows what it holds.

glibc keeps freed memory in its heaps (fragmented by many mid-sized allocations: record values,
fetch responses, Arrow buffers) and returns only the top of a heap; each thread that allocates
may get a heap of its own. The worker's processes use one heap (:func:`configure`, at start) and
call ``malloc_trim(0)``, which releases every free page (a few milliseconds), once per batch
(:func:`release`). With another C library both do nothing.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from functools import cache

_M_ARENA_MAX = -8


@cache
def _libc_function(name: str) -> Callable[..., int] | None:
    try:
        function: Callable[..., int] = getattr(ctypes.CDLL(None), name)  # the process's symbols
    except (OSError, AttributeError):
        return None
    return function


def configure() -> None:
    """One malloc heap for every thread of this process (glibc); a no-op elsewhere."""
    mallopt = _libc_function("mallopt")
    if mallopt is not None:
        mallopt(_M_ARENA_MAX, 1)


def release() -> None:
    """Return free heap pages to the system (glibc); a no-op elsewhere."""
    trim = _libc_function("malloc_trim")
    if trim is not None:
        trim(0)
