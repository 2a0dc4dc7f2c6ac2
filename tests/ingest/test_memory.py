"""Freed memory handed back every few batches, not after each."""

from __future__ import annotations

import pytest

from ingest import memory


def test_releaser_hands_memory_back_every_nth_call(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    releaser = memory.Releaser(3)
    monkeypatch.setattr(memory, "release", lambda: calls.append(releaser.calls))
    for _ in range(7):
        releaser()
    assert calls == [3, 6]


def test_releaser_with_zero_never_releases(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(memory, "release", lambda: calls.append(1))
    releaser = memory.Releaser(0)
    for _ in range(5):
        releaser()
    assert calls == [] and releaser.calls == 5


def test_default_is_every_fourth_batch_and_release_runs() -> None:
    releaser = memory.Releaser()
    assert releaser.every == memory.RELEASE_EVERY == 4
    for _ in range(memory.RELEASE_EVERY):
        releaser()  # the real malloc_trim (or nothing on another C library) on the 4th call
