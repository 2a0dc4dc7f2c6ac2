"""``Emitter``: validate, redact and send audit events to Kafka; keep on disk what Kafka has not acknowledged.

Usage::

    with Emitter.from_settings(load_settings(), spool_dir=Path("/var/lib/myservice/spool")) as em:
        em.emit(event)          # an Event model, a dict or JSON bytes
        em.flush()              # every emitted event is now acknowledged or in the spool

Every event:

- is validated first: one that does not fit its contract raises
  :class:`~aftershock.errors.EventError` naming the JSON path (``invalid change event:
  $.payload.author: Field required``), and one too large for Kafka raises it too, before it is
  accepted. Secrets are redacted (:func:`schemas.redaction.redacted_json`).
- goes to its type's topic with a key that keeps one lifecycle on one partition, so it stays
  ordered: ``incident_id`` for incidents, ``deployment_id`` for deployments, ``change_id`` for
  changes, ``session_id`` for agent actions, the subject id for gate decisions (falling back to
  ``source_ref``, then ``event_id``); headers ``content-type``, ``event-type``, ``schema-version``.
- is sent with ``KafkaProducer.send`` (``acks=all``, idempotence, batches of up to 50 ms / 256 KiB:
  ``BATCHING``, overridden by ``producer_config``) to the partition kafka-python's default
  partitioner would pick: a cached murmur2 of the key modulo ``partitions_for(topic)``, read again
  every PARTITIONS_TTL_S and for every new producer (a configured ``partitioner`` decides instead).

The spool (:mod:`aftershock.sdk.spool`) is an fsync'd, bounded file (a clear
:class:`~aftershock.sdk.spool.SpoolFullError` when full). While it holds anything, new events queue
behind it; it is replayed in order as soon as the broker answers (on the next ``emit``/``flush``,
or when an ``Emitter`` starts on the same spool folder after a restart). A replayed event may reach
Kafka twice (the lake keeps one per ``(source, event_id)``); none is lost.

Two modes (``durability``):

- ``"direct"`` (default): ``emit`` hands the record to kafka-python and keeps it in memory until
  Kafka acknowledges it. Every record not acknowledged goes to the spool, in order, as soon as the
  Emitter sees the broker is gone: a ``send`` that raises a Kafka error, a failed delivery, or no
  acknowledgement between two checks (PROBE_EVERY_S or PROBE_EVERY_RECORDS sends apart) while the
  bootstrap address refuses connections (:mod:`aftershock.sdk.link`); and at ``flush``/``close``
  whatever is not acknowledged by then.
- ``"spool_first"``: ``emit`` appends the record to the spool and fsyncs before it returns; a
  thread (:class:`~aftershock.sdk.shipper.Shipper`) sends from the spool and marks what Kafka
  acknowledged as delivered; ``flush`` waits until the spool is empty (or the broker is away). One
  fsync per event bounds the rate. An error of the thread that is not a Kafka or network failure
  is raised by the next ``emit``, ``flush`` or ``close``.

What holds when the process ends:

- ``close()`` (or the ``with`` block) returned: in both modes every accepted event is acknowledged
  by Kafka or in the spool.
- Normal interpreter exit without ``close()`` (the end of the main module, ``sys.exit``) and an
  unhandled exception (the interpreter still runs its exit handlers): an exit handler flushes for
  at most ``exit_timeout_s`` (default 5 s; it stops at once when the broker refuses connections),
  spools what is still not acknowledged and closes the producer: nothing is lost in either mode.
  It does not replay the spool; the next Emitter on the folder does.
- SIGTERM (Python's default action ends the process without exit handlers) and ``kill -9``:
  ``"spool_first"`` keeps every event ``emit`` returned for. ``"direct"`` keeps what was already in
  the spool; events handed to kafka-python and not yet acknowledged (up to ``linger_ms`` of events
  plus those in flight, more during an outage not yet noticed) are lost. A service in direct mode
  that wants SIGTERM to lose nothing turns it into a normal exit:
  ``signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))``.

A programming error (a ``TypeError`` from a hook, a bug) is raised to the caller, never spooled.
An Emitter is used from one thread at a time; it is kept alive until ``close()`` or exit.
"""

from __future__ import annotations

import atexit
import time
from collections import deque
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from kafka.errors import KafkaError

from aftershock.errors import ConfigError
from aftershock.sdk.link import PROBE_EVERY_RECORDS, PROBE_EVERY_S, KafkaLink, acked
from aftershock.sdk.records import MODEL_TYPES, Headers, Route, key_hash, validate
from aftershock.sdk.shipper import Shipper
from aftershock.sdk.spool import DEFAULT_MAX_BYTES, Spool, SpooledRecord
from schemas.event import Event
from schemas.redaction import redacted_json

PARTITIONS_TTL_S = 1.0  # how long a topic's partition count is used before kafka-python is asked again
# fewer, larger batches: kafka-python's per-batch work (wake-ups, requests, acknowledgements) is Python;
# 50 ms is the most an event waits for its batch to fill (flush() sends at once)
BATCHING: dict[str, Any] = {"linger_ms": 50, "batch_size": 256 * 1024}
DURABILITIES = ("direct", "spool_first")
MAX_REQUEST_SIZE = 1_048_576  # kafka-python's default max_request_size
CLOSE_TIMEOUT_S = 5.0
# (topic, key, value, headers): a SpooledRecord's fields as a plain tuple of bytes and strings, which
# the garbage collector stops tracking, so records waiting for their acknowledgement cost it nothing
Record = tuple[str, bytes, bytes, Headers]


def producer_settings(
    bootstrap_servers: str,
    client_id: str = "aftershock-sdk",
    delivery_timeout_ms: int = 30_000,
    connect_timeout_ms: int = 5_000,
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The ``KafkaProducer`` settings of an :class:`Emitter` (``overrides`` win)."""
    return {
        "bootstrap_servers": bootstrap_servers, "client_id": client_id, "acks": "all",
        "enable_idempotence": True, "delivery_timeout_ms": delivery_timeout_ms,
        "request_timeout_ms": min(delivery_timeout_ms // 2, 30_000),
        "max_block_ms": connect_timeout_ms, "bootstrap_timeout_ms": connect_timeout_ms,
        **BATCHING, **(overrides or {}),
    }


class Emitter:
    def __init__(
        self,
        bootstrap_servers: str,
        spool_dir: Path,
        topic_for: Callable[[str], str],
        *,
        client_id: str = "aftershock-sdk",
        spool_max_bytes: int = DEFAULT_MAX_BYTES,
        delivery_timeout_ms: int = 30_000,
        connect_timeout_ms: int = 5_000,
        producer_config: Mapping[str, Any] | None = None,
        durability: str = "direct",
        exit_timeout_s: float = 5.0,
    ) -> None:
        if durability not in DURABILITIES:
            raise ConfigError(f"unknown emitter durability {durability!r} (Emitter(durability=...)): "
                              f"use one of {', '.join(DURABILITIES)}")
        self.bootstrap_servers = bootstrap_servers
        self.topic_for = topic_for
        self.spool = Spool(spool_dir, spool_max_bytes)
        self.config = producer_settings(bootstrap_servers, client_id, delivery_timeout_ms,
                                        connect_timeout_ms, producer_config)
        self.durability, self.exit_timeout_s = durability, exit_timeout_s
        self._max_bytes = int(self.config.get("max_request_size", MAX_REQUEST_SIZE))
        self._link = KafkaLink(bootstrap_servers, self.config, delivery_timeout_ms / 1000 + 1,
                               on_connect=self._exit_first)
        self._own_partitioning = "partitioner" not in self.config  # else the configured one decides
        self._sent: deque[Record] = deque()  # sent, not known to be acknowledged yet, in order
        self._futures: deque[Any] = deque()  # their kafka-python futures, one for one
        self._watched: Any = None  # the oldest future not acknowledged at the last progress check
        self._check_at, self._unchecked = 0.0, 0  # the next progress check: at that time or count
        self._generation = 0  # the producer the partition counts were read from
        self._routes: dict[str, Route] = {}  # by event type
        self._shipper = Shipper(self._link, self.spool) if durability == "spool_first" else None
        if self._shipper is not None:
            self._shipper.start()
        else:
            self._recover()
        self._exit_first()

    @classmethod
    def from_settings(cls, settings: Any, spool_dir: Path, **kwargs: Any) -> Emitter:
        """An emitter for the configured broker and audit topics."""
        from aftershock.broker.resolve import bootstrap_servers
        from aftershock.kafka_client import client_config

        bootstrap = bootstrap_servers(settings)
        kwargs["producer_config"] = {**client_config(settings.kafka, bootstrap),
                                     **kwargs.get("producer_config", {})}
        return cls(bootstrap, spool_dir, settings.kafka.topic_for, **kwargs)

    # -- public API ------------------------------------------------------------------------
    def emit(self, event: Event | Mapping[str, Any] | bytes | str) -> None:
        """Validate, redact and send one event (spool it while the broker is away, or first)."""
        if not isinstance(event, MODEL_TYPES):
            event = validate(event)
        clean, value = redacted_json(event)
        route = self._routes.get(clean.event_type)
        if route is None or route.schema_version != clean.schema_version:
            route = self._route(clean)
        key = route.key(clean)
        route.check_size(clean, key, value, self._max_bytes)
        if self._shipper is not None:
            self._shipper.check()
            self.spool.append([SpooledRecord(route.topic, key, value, route.headers)])
            self._shipper.wake()
            return
        if self._link.producer is None or self.spool:
            self._recover()
            if self._link.producer is None or self.spool:
                self.spool.append([SpooledRecord(route.topic, key, value, route.headers)])
                return
        self._send(route, key, value)

    def flush(self, timeout: float | None = None) -> None:
        """Wait (at most ``timeout`` s, default the delivery timeout) for every accepted event.

        What Kafka did not acknowledge by then is in the spool, in order.
        """
        timeout_s = self._link.delivery_timeout_s if timeout is None else timeout
        if self._shipper is not None:
            self._shipper.flush(timeout_s)
            return
        self._drain(timeout_s)
        if self.spool:
            self._recover()

    def close(self) -> None:
        """Flush, then close the producer (and stop the shipper)."""
        try:
            self.flush()
        finally:
            self._end(CLOSE_TIMEOUT_S)

    def __enter__(self) -> Emitter:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    @property
    def spooled(self) -> int:
        """How many events wait in the spool."""
        return len(self.spool)

    # -- sending ---------------------------------------------------------------------------
    def _route(self, event: Event) -> Route:
        """The route of ``event``'s type and schema version (``topic_for`` asked once)."""
        route = Route(self.topic_for(event.event_type), event.event_type, event.schema_version)
        self._routes[event.event_type] = route
        return route

    def _send(self, route: Route, key: bytes, value: bytes) -> None:
        record = (route.topic, key, value, route.headers)
        now = time.monotonic()
        try:
            partition = self._partition(route, key, now)
            future = self._link.producer.send(route.topic, value, key, route.header_list, partition)
        except KafkaError:  # no metadata, no buffer space, a closed producer: the broker is away
            self._give_up(record)
            return
        self._sent.append(record)
        self._futures.append(future)
        self._unchecked += 1
        head = self._futures[0]
        if head.is_done:
            self._forget_acknowledged()
        elif now >= self._check_at or self._unchecked >= PROBE_EVERY_RECORDS:
            self._check_progress(head, now)

    def _partition(self, route: Route, key: bytes, now: float) -> int | None:
        """The partition kafka-python's default partitioner would pick (ids are 0..n-1).

        The key's hash is cached, and the topic's partition count read again every PARTITIONS_TTL_S.
        """
        if not self._own_partitioning:
            return None
        if now >= route.recount_at:
            route.partitions = self._link.partitions(route.topic)
            route.recount_at = now + PARTITIONS_TTL_S
        return key_hash(key) % route.partitions

    # -- acknowledgements and the spool ----------------------------------------------------
    def _forget_acknowledged(self) -> None:
        """Drop records from the head as soon as Kafka acknowledged them; give up on the first failure.

        Kept no longer than kafka-python keeps them itself, they die young (cheap for the garbage
        collector).
        """
        futures, sent = self._futures, self._sent
        while futures:
            head = futures[0]
            if not head.is_done:
                return
            if head.failed():
                self._give_up()
                return
            futures.popleft()
            sent.popleft()

    def _check_progress(self, head: Any, now: float) -> None:
        """No acknowledgement since the last check: is the broker still there?"""
        self._check_at, self._unchecked = now + PROBE_EVERY_S, 0
        if head is self._watched and not self._link.reachable():
            self._give_up()
        else:
            self._watched = head

    def _drain(self, timeout_s: float) -> None:
        """Wait (bounded) for every record in flight; spool the unacknowledged ones, in order."""
        if self._futures and self._link.producer is not None:
            self._link.settle(timeout_s)
        if all(acked(future) for future in self._futures):
            self._sent.clear()
            self._futures.clear()
        else:
            self._give_up()

    def _give_up(self, *unsent: Record) -> None:
        """The broker is away: spool every record not acknowledged (then ``unsent``), in order,
        and drop the producer (a record it still delivers later reaches Kafka twice)."""
        records = [SpooledRecord(*record) for record, future in zip(self._sent, self._futures, strict=True)
                   if not acked(future)]
        records += [SpooledRecord(*record) for record in unsent]
        try:
            self.spool.append(records)
        finally:
            self._sent.clear()
            self._futures.clear()
            self._watched = None
            self._link.drop()

    def _recover(self) -> None:
        """Connect if due, then replay the spool in order; leaves what could not be sent."""
        if not self._link.connect():
            return
        if self._generation != self._link.generation:  # a new producer: ask it for partition counts
            self._generation = self._link.generation
            for route in self._routes.values():
                route.recount_at = 0.0
        if self.spool:
            self._link.replay(self.spool)

    # -- the end ---------------------------------------------------------------------------
    def _end(self, timeout_s: float) -> None:
        atexit.unregister(self._at_exit)
        if self._shipper is not None and not self._shipper.stop(timeout_s):
            return  # still in a send: the process ends it; the spool keeps every record
        self._link.close(timeout_s)

    def _at_exit(self) -> None:
        """The interpreter exits and ``close()`` was not called: ``close()`` within exit_timeout_s,
        without replaying the spool (a later Emitter on it does)."""
        try:
            if self._shipper is not None:
                self._shipper.flush(self.exit_timeout_s)
            else:
                self._drain(self.exit_timeout_s)
        finally:
            self._end(min(self.exit_timeout_s, CLOSE_TIMEOUT_S))

    def _exit_first(self) -> None:
        """Run the exit handler before the one kafka-python registers for each new producer (it
        closes the producer within 1 s, dropping what it could not deliver)."""
        atexit.unregister(self._at_exit)
        atexit.register(self._at_exit)
