"""The Kafka consumer-group worker: poll, handle, maybe flush, commit.

One batch per assigned partition collects raw records; a batch is flushed (validated and
redacted chunk by chunk, landed, committed in the manifest) when it reaches ``batch_max_records`` or
``batch_max_bytes``, when its first record is ``batch_max_age_s`` old, when all batches together
hold ``buffer_max_records``, and on shutdown. Kafka offsets are committed only after the
manifest entry, and only as a convenience for lag monitoring: on start and on every assignment
the worker seeks each partition to where the manifest says it ends. A batch of a partition that
another worker committed first is dropped (the manifest refuses it), so no range lands twice.

The consumer reads committed records only by default (``isolation_level``): records of aborted
transactions never land, those of an open one wait until it ends. A fetched record batch the
client cannot decode (corrupt, or a codec it cannot read) does not stop the worker: the offsets
it covers are found (:mod:`ingest.undecodable`), dead-lettered with the partition's next batch
and stepped over.

Landing runs in a separate process (:mod:`ingest.landing_process`), so this process spends its
core reading Kafka records and the landing process spends the other validating and writing. A
due batch is handed over whole (:mod:`ingest.handoff`); batches land in the order they were
handed over, at most ``MAX_IN_FLIGHT`` at a time, and the poll loop settles them in that order:
totals, Kafka offset commit, or a re-seek after a manifest conflict.

After each settled commit the worker publishes the lake's new signed heads to the heads topic
(:mod:`ingest.heads`); on start it removes the files of a compaction killed before committing.

Rebalance callbacks run while the main thread is inside ``poll()``, so they never race the
handling code; they first wait until no batch is being landed. On assignment they remove the
partition's uncommitted leftovers and seek; on revocation they drop the partition's unflushed
batch (the next owner reads it again).
"""

from __future__ import annotations

import contextlib
import gc
import signal
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import Any

from kafka import ConsumerRebalanceListener, KafkaConsumer, TopicPartition
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata

from aftershock.errors import BrokerError, ExitCode, LakeError
from aftershock.kafka_client import client_config, connect, explain, is_bootstrap_failure
from aftershock.settings import IngestSettings, Settings
from ingest import kafka_internals, memory
from ingest.backlog import BacklogFocus
from ingest.batch_validation import BatchFailed, BatchSkipped
from ingest.handoff import Skipped, pack
from ingest.heads import HeadsPublisher
from ingest.landing_process import LandingDied, LandingProcess
from ingest.suspects import Suspects
from ingest.undecodable import Prober, may_be_undecodable
from lake import crashpoints
from lake.backend import open_manifest
from lake.manifest import ManifestConflict

MAX_IN_FLIGHT = 2  # batches handed to the landing process and not settled yet
_VALUE_SIZE = attrgetter("serialized_value_size")
_GC_THRESHOLD = 20_000  # new container objects between two young-generation collections


@dataclass
class Pending:
    """The raw records of one partition waiting to be flushed (validated only at flush time:
    raw bytes take a fifth of the memory of validated events)."""

    topic: str
    partition: int
    start: int
    opened_at: float
    next_offset: int = -1
    records: list[Any] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)  # undecodable offset ranges among them
    value_bytes: int = 0

    @property
    def size(self) -> int:
        return len(self.records)


@dataclass
class InFlight:
    """A batch handed to the landing process."""

    tp: TopicPartition
    next_offset: int
    start: int = -1
    unread: bool = False  # landed as dead letters without being parsed (ingest.suspects)


@dataclass
class Totals:
    events: int = 0
    duplicates: int = 0
    dead: int = 0
    batches: int = 0
    conflicts: int = 0
    undecodable: int = 0  # offset ranges skipped because the client could not decode them
    spooled: int = 0  # dead letters waiting for their topic, as last reported
    landed_at: float | None = None  # time.monotonic() when the last batch was settled


class Worker:
    """Reads the audit topics of ``settings`` into the lake at ``lake``."""

    def __init__(self, settings: Settings, lake: Path | str, bootstrap: str,
                 until_idle_s: float | None = None, landing_profile: Path | None = None,
                 after_commit: Callable[[], None] | None = None) -> None:
        self.settings, self.conf = settings, settings.ingest
        self.after_commit = after_commit  # e.g. the Iceberg sync of `ingest run --iceberg-sync`
        self.lake, self.manifest = lake, open_manifest(lake, settings.lake)
        self.bootstrap, self.until_idle_s = bootstrap, until_idle_s
        self.landing_profile = landing_profile
        self.positions: dict[TopicPartition, int | None] = {}
        self.batches: dict[TopicPartition, Pending] = {}
        self.totals = Totals()
        self.stopping = False
        self.consumer: Any = None
        self.inflight: list[InFlight] = []
        self.landing: LandingProcess | None = None
        self.focus: BacklogFocus[TopicPartition] = BacklogFocus(self.conf.backlog_partitions)
        self.paused: set[TopicPartition] = set()
        self.landed: dict[TopicPartition, OffsetAndMetadata] = {}  # where each partition's lake ends
        self.release = memory.Releaser()
        self.heads: HeadsPublisher | None = None
        self.prober = Prober(f"{settings.kafka.client_id}-ingest",
                             {**client_config(settings.kafka, bootstrap), **consumer_config(self.conf)})
        self.suspects = Suspects()  # ranges that failed to land (ingest.suspects)

    def run(self) -> int:
        """Consume until SIGTERM/SIGINT or ``until_idle_s`` without records; flush; exit 0."""
        kafka_internals.check()
        self._install_signal_handlers()
        memory.configure()
        self.manifest.remove_compaction_leftovers_if_idle(_log)
        self.landing = LandingProcess(self.lake, self.settings, self.bootstrap, self.landing_profile)
        try:
            if isinstance(self.lake, Path):  # heads of a lake on object storage: its anchor store
                self.heads = HeadsPublisher(self.bootstrap, self.settings.kafka.heads_topic,
                                            self.settings.kafka.client_id, self.lake,
                                            self.settings.lake.anchor_dir, self.settings.kafka)
                self.heads.publish_new()
            self.consumer = self._consumer()
            self.consumer.subscribe(self.settings.kafka.audit_topics(), listener=_Listener(self))
            with _spare_collections():
                self._loop()
                self._flush(list(self.batches))
                self._settle(wait_all=True)
        except KafkaError as exc:
            if is_bootstrap_failure(exc):  # e.g. credentials the broker refuses: say which
                raise explain(client_config(self.settings.kafka, self.bootstrap), exc) from None
            raise BrokerError(f"Kafka failed ({type(exc).__name__}: {exc}); the lake is consistent: "
                              "restart the worker to resume from the manifest") from exc
        finally:
            if self.consumer is not None:
                self.consumer.close()
            self.prober.close()
            self.landing.close()
            if self.heads is not None:
                self.heads.publish_new()
                self.heads.close()
        self._report("stopped")
        return ExitCode.OK

    def _loop(self) -> None:
        """Poll, buffer, hand over due batches, settle landed ones; until stopped or idle."""
        last_record = last_report = time.monotonic()
        while not self.stopping:
            polled = self._poll()
            for tp, records in polled.items():
                self._handle(tp, records)
            self._flush(self._due())
            self._settle(wait_all=False)
            self._refocus(bool(polled))
            now = time.monotonic()
            last_record = now if polled else last_record
            last_report = self._maybe_report(now, last_report)
            if self.until_idle_s is not None and now - last_record >= self.until_idle_s:
                return

    def _consumer(self) -> Any:
        return connect(
            KafkaConsumer, client_config(self.settings.kafka, self.bootstrap), group_id=self.conf.group_id,
            group_instance_id=self.conf.instance_id,
            client_id=f"{self.settings.kafka.client_id}-ingest", enable_auto_commit=False,
            auto_offset_reset="earliest", session_timeout_ms=self.conf.session_timeout_ms,
            heartbeat_interval_ms=self.conf.heartbeat_interval_ms, **consumer_config(self.conf),
            request_timeout_ms=max(self.settings.kafka.request_timeout_ms,
                                   self.conf.session_timeout_ms + 5000),
        )

    def _poll(self) -> dict[TopicPartition, list[Any]]:
        """The next records by partition; a batch the client cannot decode is skipped (nothing
        returned this time)."""
        try:
            polled: dict[TopicPartition, list[Any]] = self.consumer.poll(
                timeout_ms=self.conf.poll_timeout_ms, max_records=self.conf.max_poll_records)
        except Exception as exc:
            if not may_be_undecodable(exc):
                raise
            self._skip_undecodable(exc)
            return {}
        return polled

    def _skip_undecodable(self, error: Exception) -> None:
        """Find the undecodable offsets that made ``poll()`` raise ``error``, add them to their
        partition's batch (dead-lettered when it lands) and move the consumer past them; raise
        ``error`` again when no partition fails to decode where it stands."""
        readable = self.consumer.assignment().intersection(self.positions).difference(self.paused)
        positions = {tp: self.consumer.position(tp) for tp in sorted(readable)}
        found = self.prober.find(positions)
        if not found:
            raise error
        for tp, skipped in found.items():
            self._add_skipped(tp, skipped)
            self.consumer.seek(tp, skipped.end)
            self.totals.undecodable += 1
            print(f"aftershock ingest: undecodable records skipped: {tp.topic}[{tp.partition}] "
                  f"offsets {skipped.start}-{skipped.end - 1} ({skipped.error_class}: "
                  f"{skipped.message}); dead-lettered", file=sys.stderr, flush=True)

    def _add_skipped(self, tp: TopicPartition, skipped: Skipped) -> None:
        """Add ``skipped`` to ``tp``'s batch (the part of it not landed yet)."""
        batch = self.batches.get(tp)
        expected = batch.next_offset if batch else self.positions[tp]
        if expected is not None and skipped.end <= expected:
            return
        if expected is not None and skipped.start < expected:
            skipped = skipped._replace(start=expected)
        batch = self._batch(tp, skipped.start)
        batch.skipped.append(skipped)
        batch.next_offset = skipped.end

    def _install_signal_handlers(self) -> None:
        def stop(signum: int, _frame: Any) -> None:
            self.stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)

    def _handle(self, tp: TopicPartition, records: list[Any]) -> None:
        """Buffer the records of one partition (skipping already-landed ones)."""
        if tp not in self.positions or not records:
            return  # revoked during this poll
        batch = self.batches.get(tp)
        expected = batch.next_offset if batch else self.positions[tp]
        if expected is not None and records[0].offset < expected:
            records = [r for r in records if r.offset >= expected]
            if not records:
                return
        batch = self._batch(tp, records[0].offset)
        end = self.suspects.piece_end(tp, batch.start)
        if end is not None and records[-1].offset >= end - 1:  # a failed range's piece: alone
            batch.records += [r for r in records if r.offset < end]
            batch.next_offset = end
            self._flush([tp])
            if self.positions.get(tp) == end:  # else the piece failed: the partition was re-seeked
                self._handle(tp, [r for r in records if r.offset >= end])
            return
        batch.records += records
        batch.next_offset = records[-1].offset + 1
        batch.value_bytes += sum(map(_VALUE_SIZE, records))

    def _batch(self, tp: TopicPartition, first: int) -> Pending:
        """``tp``'s open batch; a new one if none, starting where the lake ends (at ``first``, the
        first offset read, when the lake has nothing of ``tp`` yet)."""
        batch = self.batches.get(tp)
        if batch is None:
            start = self.positions[tp]
            batch = self.batches[tp] = Pending(tp.topic, tp.partition,
                                               first if start is None else start, time.monotonic())
        return batch

    def _due(self) -> list[TopicPartition]:
        """Partitions whose batch must be flushed now."""
        now, conf = time.monotonic(), self.conf
        due = [tp for tp, b in self.batches.items()
               if b.size >= conf.batch_max_records or b.value_bytes >= conf.batch_max_bytes
               or now - b.opened_at >= conf.batch_max_age_s]
        buffered = sum(b.size for b in self.batches.values())
        if not due and buffered >= conf.buffer_max_records:
            due = [max(self.batches, key=lambda tp: self.batches[tp].size)]
        return due

    def _flush(self, partitions: list[TopicPartition]) -> None:
        """Hand the batches of ``partitions`` to the landing process; the partition's next batch
        starts where this one ends."""
        for tp in partitions:
            batch = self.batches.pop(tp, None)
            if batch is None:  # dropped meanwhile (a failed batch before it re-seeked the partition)
                continue
            alone = self.suspects.piece_end(tp, batch.start) is not None
            while len(self.inflight) >= (1 if alone else MAX_IN_FLIGHT):
                self._settle(wait_all=False, oldest=True)
            if tp not in self.positions or self.positions[tp] not in (None, batch.start):
                continue  # revoked or re-seeked while the batches before it settled
            self.positions[tp] = batch.next_offset
            self.focus.handed_over(tp)
            quarantine = self._quarantine_reason(tp, batch) if alone else None
            self.inflight.append(InFlight(tp, batch.next_offset, batch.start, quarantine is not None))
            try:
                self._landing().submit(*pack(batch.topic, batch.partition, batch.start,
                                             batch.next_offset, batch.records, batch.skipped),
                                             quarantine)
            except LandingDied as exc:
                self._recover(exc)
            del batch
            self.release()
            if alone:
                self._settle(wait_all=True)

    def _refocus(self, got_records: bool) -> None:
        """Pause the lagging partitions that are not being read now (see :mod:`ingest.backlog`);
        after a poll that brought nothing, read every partition again."""
        lagging = {tp for tp in self.positions
                   if got_records and self._lag(tp) > self.conf.batch_max_records}
        paused = self.focus.paused(lagging, set(self.batches))
        if paused != self.paused:
            self.consumer.resume(*(self.paused - paused))
            self.consumer.pause(*(paused - self.paused))
            self.paused = paused
        kafka_internals.restore_parked(self.consumer)

    def _lag(self, tp: TopicPartition) -> int:
        """Records of ``tp`` on the broker not buffered yet (0 when not known)."""
        highwater = self.consumer.highwater(tp)
        batch = self.batches.get(tp)
        position = batch.next_offset if batch else self.positions.get(tp)
        return 0 if highwater is None or position is None else highwater - position

    def _landing(self) -> LandingProcess:
        if self.landing is None:
            raise RuntimeError("the worker is not running")
        return self.landing

    def _settle(self, wait_all: bool, oldest: bool = False) -> None:
        """Settle landed batches in order (all with ``wait_all``, at least the oldest with
        ``oldest``), then commit their offsets to Kafka."""
        committed = {}
        while self.inflight and (wait_all or oldest or self._landing().ready()):
            item = self.inflight.pop(0)
            oldest = False
            if self._settled(item):
                committed[item.tp] = OffsetAndMetadata(item.next_offset, "", -1)
        if committed:
            crashpoints.reach("after_manifest")
            self.landed.update(committed)
            if self.heads is not None:
                self.heads.publish_new()
        if committed or (wait_all and self.landed):
            self._commit(dict(self.landed) if wait_all else committed, wait=wait_all)
        if committed and self.after_commit is not None:
            self.after_commit()  # after Kafka's offsets: a slow sync holds up nothing landed

    def _settled(self, item: InFlight) -> bool:
        """Count a landed batch (True), or re-seek its partition after a conflict or a failure
        (False)."""
        try:
            landed = self._landing().answer()
        except ManifestConflict as exc:
            self.totals.conflicts += 1
            print(f"aftershock ingest: {exc}", file=sys.stderr, flush=True)
            if item.tp in self.positions:
                self._seek_from_manifest([item.tp])
            return False
        except BatchSkipped:
            return False  # its partition was re-seeked when the batch before it failed
        except BatchFailed as exc:
            self._failed([item], str(exc))
            return False
        except LandingDied as exc:
            self.inflight.insert(0, item)
            self._recover(exc)
            return False
        self.suspects.landed(item.tp, item.start, item.next_offset)
        self.totals.events += landed.events
        self.totals.duplicates += landed.duplicates
        self.totals.dead += landed.dead
        self.totals.spooled = landed.spooled
        self.totals.batches += 1
        self.totals.landed_at = time.monotonic()
        return True

    def _recover(self, exc: LandingDied) -> None:
        """The landing process died: start another, and read again what it did not commit (its
        first unlanded batch per partition counts as failed)."""
        lost, self.inflight = self.inflight, []
        self._landing().close()
        self.landing = LandingProcess(self.lake, self.settings, self.bootstrap, self.landing_profile)
        state = self.manifest.refresh()
        unlanded = []
        for item in lost:
            position = state.positions.get((item.tp.topic, item.tp.partition))
            if position is not None and position >= item.next_offset:
                self.suspects.landed(item.tp, item.start, item.next_offset)
            else:
                unlanded.append(item)
        first = {item.tp: item for item in reversed(unlanded)}
        self._failed(list(first.values()), str(exc))
        self._seek_from_manifest([tp for tp in {item.tp for item in lost} if tp in self.positions])

    def _failed(self, items: list[InFlight], why: str) -> None:
        """Batches that could not be landed: say so, and read their partitions again."""
        for item in items:
            if item.unread:
                raise LakeError(f"landing {_where(item.tp, item.start, item.next_offset)} failed even "
                                f"without parsing it ({why}): the fault is not in the data; check the "
                                "lake folder and the landing process's errors above")
            plan = self.suspects.failed(item.tp, item.start, item.next_offset)
            print(f"aftershock ingest: landing {_where(item.tp, item.start, item.next_offset)} "
                  f"failed ({why}); {plan}", file=sys.stderr, flush=True)
        self._seek_from_manifest([item.tp for item in items if item.tp in self.positions])

    def _quarantine_reason(self, tp: TopicPartition, batch: Pending) -> str | None:
        if not self.suspects.quarantine(tp, batch.start):
            return None
        print(f"aftershock ingest: dead-lettering {_where(tp, batch.start, batch.next_offset)} "
              "unread as unlandable (its landing failed alone)", file=sys.stderr, flush=True)
        return ("landing this record failed repeatedly (the landing process crashed or raised on "
                "it); kept unread")

    def _wait_for_landing(self) -> None:
        """Block until no batch is being landed (settled later, by the poll loop)."""
        self._landing().drain()

    def _commit(self, offsets: dict[TopicPartition, OffsetAndMetadata], wait: bool) -> None:
        """Commit offsets to Kafka: the manifest is the record, Kafka offsets only show lag, so
        the poll loop does not wait for them (``wait`` for the last ones, on the way out)."""
        try:
            if wait:
                self.consumer.commit(offsets)
            else:
                self.consumer.commit_async(offsets, callback=_commit_done)
        except KafkaError as exc:
            _commit_done(offsets, exc)

    def _seek_from_manifest(self, partitions: list[TopicPartition]) -> None:
        """Position ``partitions`` where the manifest ends (the beginning if it has no entry)."""
        state = self.manifest.refresh()
        for tp in partitions:
            self.batches.pop(tp, None)
            position = self.positions[tp] = state.positions.get((tp.topic, tp.partition))
            if position is None:
                self.consumer.seek_to_beginning(tp)
            else:
                self.consumer.seek(tp, position)

    def on_assigned(self, partitions: list[TopicPartition]) -> None:
        self._wait_for_landing()
        self.manifest.remove_orphans([(tp.topic, tp.partition) for tp in partitions])
        for tp in partitions:
            self.positions[tp] = None
        self._seek_from_manifest(list(partitions))

    def on_revoked(self, partitions: list[TopicPartition]) -> None:
        self._wait_for_landing()
        self.focus.forget(partitions)
        self.paused.difference_update(partitions)
        self.suspects.forget(partitions)
        for tp in partitions:
            self.batches.pop(tp, None)
            self.positions.pop(tp, None)
            self.landed.pop(tp, None)

    def _maybe_report(self, now: float, last: float) -> float:
        if now - last < self.conf.progress_interval_s:
            return last
        self._report("progress")
        return now

    def _report(self, what: str) -> None:
        t = self.totals
        buffered = sum(b.size for b in self.batches.values())
        print(f"aftershock ingest {what}: {t.events} events landed, {t.duplicates} in-batch "
              f"duplicates, {t.dead} dead letters, {t.undecodable} undecodable ranges, "
              f"{t.batches} batches, {t.conflicts} conflicts, {buffered} buffered, "
              f"{len(self.positions)} partitions, {self.suspects.retried} failed landings, "
              f"{self.suspects.quarantined} unlandable, {t.spooled} dead letters spooled",
              file=sys.stderr, flush=True)


def _log(message: str) -> None:
    print(f"aftershock ingest: {message}", file=sys.stderr, flush=True)


def _commit_done(_offsets: Any, response: Any) -> None:
    if isinstance(response, Exception):
        print(f"aftershock ingest: offset commit skipped ({type(response).__name__}: {response})",
              file=sys.stderr, flush=True)


@contextlib.contextmanager
def _spare_collections() -> Iterator[None]:
    """Keep Python's cycle collector off the records meanwhile: every record is a new tuple, so the
    default thresholds run a collection every 700 records, each walking the young record lists
    (~0.4 µs per record in all); the objects made before (modules, consumer) are not walked at
    all. The loop makes few reference cycles; a collection still runs every 20,000 new objects."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(_GC_THRESHOLD, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def consumer_config(conf: IngestSettings) -> dict[str, Any]:
    """How the worker's consumer reads: isolation level and fetch sizes (the throughput
    benchmark's bare loop and the undecodable-batch probe use the same)."""
    return {"isolation_level": conf.isolation_level, "max_poll_records": conf.max_poll_records,
            "max_partition_fetch_bytes": max(1 << 20, conf.max_record_bytes + 1024),
            "fetch_max_bytes": conf.fetch_max_bytes}


class _Listener(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, worker: Worker) -> None:
        self.worker = worker

    def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        self.worker.on_revoked(list(revoked))

    def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        self.worker.on_assigned(list(assigned))


def _where(tp: TopicPartition, start: int, next_offset: int) -> str:
    return f"{tp.topic}[{tp.partition}]@{start}..{next_offset - 1}"
