"""Give memory freed by landed batches back to the system, so the worker's RSS follows what it holds.

glibc keeps freed memory in its heaps (fragmented by many mid-sized allocations: record values,
fetch responses, Arrow buffers) and returns only the top of a heap; each thread that allocates
may get a heap of its own. The worker's processes use one heap (:func:`configure`, at start) and
call ``malloc_trim(0)``, which releases every free page (a few milliseconds), every few batches
(:class:`Releaser`): each page released is faulted in again, zeroed, by the next batch that
needs it, so releasing after every batch costs CPU for little memory. With another C library
both do nothing.
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


RELEASE_EVERY = 4  # batches between two hand-backs of freed memory, in both worker processes


class Releaser:
    """Calls :func:`release` once every ``every`` calls (never with 0)."""

    def __init__(self, every: int = RELEASE_EVERY) -> None:
        self.every, self.calls = every, 0

    def __call__(self) -> None:
        self.calls += 1
        if self.every and self.calls % self.every == 0:
            release()
