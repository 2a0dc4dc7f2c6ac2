"""``KafkaLink``: the emitter's one ``KafkaProducer`` at a time, and how it notices the broker is gone.

The link connects when the bootstrap address accepts a TCP connection (checked before kafka-python
is asked, at most every RECONNECT_EVERY_S), sends with ``KafkaProducer.send``, and waits for
acknowledgements in slices of PROBE_EVERY_S: between slices it asks the bootstrap address again,
and stops waiting as soon as the broker refuses connections instead of waiting out the delivery
timeout. A producer given up on (its records are in the spool) goes to one daemon thread that closes
it as soon as kafka-python lets it: ``close`` refuses while the producer still holds records, which
it retries until they are delivered or expire. One that never can ends with the process, quietly
(kafka-python would otherwise try again while the interpreter shuts down, waiting and printing).
"""

from __future__ import annotations

import queue
import socket
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from kafka.errors import KafkaConfigurationError, KafkaError

from aftershock.errors import BrokerError
from aftershock.sdk.spool import Spool

RECONNECT_EVERY_S = 5.0
# how long, or for how many sends, acknowledgements may stall before the broker's address is checked
PROBE_EVERY_S = 0.5
PROBE_EVERY_RECORDS = 2_000
REPLAY_RECORDS = 5_000  # records sent from the spool before waiting for their acknowledgements
_retiring: queue.Queue[Any] = queue.Queue()  # producers given up on, for the closing thread
_closer_lock = threading.Lock()
_closer: list[threading.Thread] = []  # the closing thread, once started


class KafkaLink:
    def __init__(self, bootstrap_servers: str, config: Mapping[str, Any], delivery_timeout_s: float,
                 on_connect: Callable[[], None] = lambda: None) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.config = dict(config)
        self.delivery_timeout_s = delivery_timeout_s
        self.on_connect = on_connect  # called after every new producer
        self.producer: Any = None
        self.generation = 0  # counts producers: a new one is asked for partition counts again
        self._next_connect = 0.0

    def connect(self) -> bool:
        """Whether a producer is up, making one if it is time to try (the broker must answer)."""
        if self.producer is not None:
            return True
        if time.monotonic() < self._next_connect:
            return False
        self._next_connect = time.monotonic() + RECONNECT_EVERY_S
        if not self.reachable():
            return False
        from kafka import KafkaProducer

        from aftershock.kafka_client import CredentialsRefused, connect

        try:
            self.producer = connect(KafkaProducer, self.config)
        except (KafkaConfigurationError, CredentialsRefused):
            raise  # a wrong setting or refused credentials, not an outage: retrying will not help
        except (BrokerError, KafkaError, OSError):
            return False
        self.generation += 1
        self.on_connect()
        return True

    def reachable(self, timeout_s: float = 0.5) -> bool:
        """Whether any bootstrap address accepts a TCP connection."""
        for address in self.bootstrap_servers.split(","):
            host, _, port = address.strip().rpartition(":")
            try:
                with socket.create_connection((host.strip("[]") or "localhost", int(port)), timeout_s):
                    return True
            except (OSError, ValueError):
                continue
        return False

    def partitions(self, topic: str) -> int:
        """The topic's partition count (kafka-python's ``partitions_for``)."""
        return len(self.producer.partitions_for(topic))

    def settle(self, timeout_s: float, stop: threading.Event | None = None) -> bool:
        """Wait for every record the producer holds; False when the wait ended early.

        Ends at ``timeout_s``, when the broker refuses connections, or when ``stop`` is set.
        """
        deadline = time.monotonic() + timeout_s
        while self.producer is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            try:
                self.producer.flush(timeout=min(PROBE_EVERY_S, remaining))
                return True
            except KafkaError:  # not all acknowledged yet: is the broker still there?
                if (stop is not None and stop.is_set()) or not self.reachable():
                    return False
        return False

    def replay(self, spool: Spool, stop: threading.Event | None = None) -> None:
        """Send the spool's records in order, REPLAY_RECORDS at a time, marking each acknowledged
        prefix delivered; stops (dropping the producer) at the first record not acknowledged."""
        while self.producer is not None and spool and not (stop is not None and stop.is_set()):
            sent: list[tuple[int, Any]] = []
            try:
                for end, record in spool.pending(REPLAY_RECORDS):
                    sent.append((end, self.producer.send(record.topic, record.value, record.key,
                                                         list(record.headers))))
            except KafkaError:
                self.drop()
            if self.producer is not None:
                self.settle(self.delivery_timeout_s, stop)
            delivered = 0
            for end, future in sent:
                if not acked(future):
                    self.drop()
                    break
                delivered = end
            if delivered:
                spool.mark_delivered(delivered)
            if not sent:
                return

    def drop(self) -> None:
        """Give up on the producer (its unacknowledged records are spooled); reconnect later."""
        producer, self.producer = self.producer, None
        if producer is not None:
            retire(producer, 0)
        self._next_connect = time.monotonic() + RECONNECT_EVERY_S

    def close(self, timeout_s: float) -> None:
        """Close the producer, waiting at most ``timeout_s`` for what it holds (already spooled)."""
        producer, self.producer = self.producer, None
        if producer is not None:
            retire(producer, timeout_s)


def retire(producer: Any, timeout_s: float) -> None:
    """Close ``producer`` now if kafka-python lets it, else hand it to the closing thread."""
    try:
        producer.close(timeout=timeout_s)
    except KafkaError:  # it still holds records
        with _closer_lock:
            if not _closer:
                _closer.append(threading.Thread(target=_close_retired, name="aftershock-closer", daemon=True))
                _closer[0].start()
        _retiring.put(producer)


def _close_retired() -> None:
    """Try to close every retired producer every RECONNECT_EVERY_S (the thread's own list keeps them)."""
    waiting: list[Any] = []
    while True:
        try:
            waiting.append(_retiring.get(timeout=RECONNECT_EVERY_S))
        except queue.Empty:
            pass
        still = []
        for producer in waiting:
            try:
                producer.close(timeout=0)
            except KafkaError:
                still.append(producer)
        waiting = still


def acked(future: Any) -> bool:
    """Whether Kafka acknowledged the record of a kafka-python send future."""
    return bool(future.is_done and future.succeeded())
