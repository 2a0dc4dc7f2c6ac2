"""Delivery ids already accepted, kept in SQLite beside the spool for the dedupe horizon.

An id is recorded only after its delivery is in the spool: a crash in between makes the sender's
retry spool it again (the lake keeps one event per ``(source, event_id)``), never loses it.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aftershock.errors import ConfigError


def _statements() -> dict[str, str]:
    """The statements of dedupe.sql by their ``-- name:``."""
    text = Path(__file__).with_name("dedupe.sql").read_text(encoding="utf-8")
    parts = text.split("-- name: ")[1:]
    return {name.strip(): body.strip() for name, _, body in (part.partition("\n") for part in parts)}


SQL = _statements()
PRUNE_EVERY = 1_000  # records between two removals of expired ids


class DeliveryStore:
    def __init__(self, path: Path, horizon: timedelta) -> None:
        self.path, self.horizon = path, horizon
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(SQL["schema"])
            self._db.execute(SQL["index"])
        except sqlite3.Error as exc:
            raise ConfigError(f"cannot open the delivery-id store {path}: {exc}: check the spool "
                              "folder (AFTERSHOCK_WEBHOOKS__SPOOL_DIR) is writable") from exc
        self._since_prune = 0
        self.prune()

    def seen(self, source: str, delivery: str, now: datetime | None = None) -> bool:
        """Whether ``delivery`` of ``source`` was accepted within the horizon."""
        cutoff = (now or datetime.now(UTC)) - self.horizon
        with self._lock:
            row = self._db.execute(SQL["seen"], {"source": source, "delivery": delivery}).fetchone()
        return row is not None and datetime.fromisoformat(row[0]) >= cutoff

    def record(self, source: str, delivery: str, received_at: datetime) -> None:
        with self._lock:
            self._db.execute(SQL["record"], {"source": source, "delivery": delivery,
                                            "received_at": received_at.astimezone(UTC).isoformat()})
            self._since_prune += 1
        if self._since_prune >= PRUNE_EVERY:
            self.prune()

    def prune(self, now: datetime | None = None) -> int:
        """Forget ids older than the horizon; how many were forgotten."""
        cutoff = (now or datetime.now(UTC)) - self.horizon
        with self._lock:
            self._since_prune = 0
            return self._db.execute(SQL["prune"], {"cutoff": cutoff.isoformat()}).rowcount

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute(SQL["count"]).fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()
