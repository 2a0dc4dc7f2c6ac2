"""The delivery-id store: real SQLite files, kept across a restart, forgotten after the horizon."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from receiver.dedupe import DeliveryStore


def test_ids_survive_a_restart_within_the_horizon(tmp_path: Path) -> None:
    store = DeliveryStore(tmp_path / "d.sqlite", timedelta(hours=72))
    now = datetime.now(UTC)
    store.record("github", "abc", now)
    assert store.seen("github", "abc")
    assert not store.seen("gitlab", "abc") and not store.seen("github", "abd")
    store.close()
    again = DeliveryStore(tmp_path / "d.sqlite", timedelta(hours=72))
    assert again.seen("github", "abc")
    assert again.seen("github", "abc", now + timedelta(hours=71))
    assert not again.seen("github", "abc", now + timedelta(hours=73))


def test_prune_forgets_only_expired_ids(tmp_path: Path) -> None:
    store = DeliveryStore(tmp_path / "d.sqlite", timedelta(hours=1))
    now = datetime.now(UTC)
    store.record("pagerduty", "old", now - timedelta(hours=2))
    store.record("pagerduty", "new", now - timedelta(minutes=5))
    assert store.prune(now) == 1
    assert len(store) == 1 and store.seen("pagerduty", "new") and not store.seen("pagerduty", "old")
