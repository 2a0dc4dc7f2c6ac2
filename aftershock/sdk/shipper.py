"""``Shipper``: the thread that sends a spool-first emitter's events from its spool to Kafka."""

from __future__ import annotations

import threading
import time

from aftershock.sdk.link import RECONNECT_EVERY_S, KafkaLink
from aftershock.sdk.spool import Spool


class Shipper(threading.Thread):
    """Replays the spool whenever it holds records and the broker answers; the only user of ``link``.

    An error that is not a Kafka or network failure (a bug, a failing hook) stops the thread and is
    raised again to the emitter's caller by :meth:`check`.
    """

    def __init__(self, link: KafkaLink, spool: Spool) -> None:
        super().__init__(name="aftershock-shipper", daemon=True)
        self.link, self.spool = link, spool
        self.failure: BaseException | None = None
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._progress = threading.Condition()
        self._rounds = 0  # replay attempts so far (flush waits for one that began after it)

    def wake(self) -> None:
        self._wake.set()

    def run(self) -> None:
        try:
            while not self._stopping.is_set():
                self._wake.clear()
                if self.spool and self.link.connect():
                    self.link.replay(self.spool, self._stopping)
                self._round_done()
                if not self.spool or self.link.producer is None:
                    self._wake.wait(RECONNECT_EVERY_S)
        except BaseException as exc:  # noqa: BLE001 - kept for the caller's thread (check)
            self.failure = exc
        finally:
            self._round_done()

    def _round_done(self) -> None:
        with self._progress:
            self._rounds += 1
            self._progress.notify_all()

    def flush(self, timeout_s: float) -> None:
        """Wait until the spool is empty, the broker turned out unreachable, or ``timeout_s`` passed."""
        deadline = time.monotonic() + timeout_s
        with self._progress:
            start = self._rounds
            self.wake()
            while self.spool and self.is_alive() and self.failure is None:
                remaining = deadline - time.monotonic()
                tried = self._rounds > start + 1  # a whole round began after this call
                if remaining <= 0 or (tried and self.link.producer is None):
                    break
                self._progress.wait(remaining)
        self.check()

    def stop(self, timeout_s: float) -> bool:
        """Ask the thread to end (it stops waiting for acknowledgements); False if it is still busy."""
        self._stopping.set()
        self.wake()
        if self.is_alive():
            self.join(timeout_s)
        return not self.is_alive()

    def check(self) -> None:
        """Raise the error that stopped the thread, if one did."""
        if self.failure is not None:
            raise self.failure
