"""The worker's landing process: validate, redact, dedupe, dead-letter and land handed-off batches.

The worker's poll loop (the main process) decodes Kafka records and hands each due batch over
(:mod:`ingest.handoff`); this process, a fresh interpreter started next to it with one end of a
socket pair, lands the batches one at a time, in the order they came, and answers each with its
:class:`Counts` or the error it raised (a ``ManifestConflict``, a ``LakeError``, an
``EventError`` under ``bad_data=fail``). The two processes share no interpreter, so decoding and
landing each get a core; the poll process never imports pyarrow.

The landing process dies with the poll process (``PR_SET_PDEATHSIG`` on Linux, and the end of
its pipe elsewhere), ignores SIGINT/SIGTERM (the poll process stops it after the last batch) and
kills the poll process first when it reaches a test crash point (:mod:`lake.crashpoints`). If it
dies on its own (a native library crashing on a record), the poll process gets
:class:`LandingDied`, starts a new one and hands the unlanded ranges over again
(``ingest.suspects``).
"""

from __future__ import annotations

import contextlib
import cProfile
import ctypes
import hashlib
import os
import pstats
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from multiprocessing.connection import Connection
from multiprocessing.reduction import recv_handle, send_handle
from pathlib import Path
from typing import Any, NamedTuple

from aftershock.errors import LakeError
from aftershock.settings import IngestSettings, KafkaSettings, LakeSettings, Settings, state_home
from ingest import memory
from ingest.handoff import Handoff
from lake import crashpoints

_PR_SET_PDEATHSIG = 1
SPOOL_DIR = "_dead_letter_spool"  # in the lake, unless AFTERSHOCK_INGEST__DEAD_LETTER_SPOOL_DIR
# Arrow's C++ code allocates from its own default pool (mimalloc, which keeps freed pages) unless
# told otherwise: the system allocator everywhere lets memory.release give everything back; and
# numpy's BLAS (unused here) starts no thread pool
_ENVIRONMENT = {"ARROW_DEFAULT_MEMORY_POOL": "system", "OPENBLAS_NUM_THREADS": "1"}


class LandingProcess:
    """The poll process's handle on its landing process: batches in, :class:`Counts` out."""

    def __init__(self, lake: Path | str, settings: Settings, bootstrap: str,
                 profile: Path | None = None) -> None:
        ours, theirs = socket.socketpair()
        with ours, theirs:
            self.process = subprocess.Popen(
                [sys.executable, "-c", f"from {__name__} import main; main({theirs.fileno()})"],
                pass_fds=[theirs.fileno()], env=os.environ | _ENVIRONMENT)
            self.conn = Connection(ours.detach())
        spool = settings.ingest.dead_letter_spool_dir or spool_dir(lake)
        self.conn.send(_Config(str(lake), settings.ingest, bootstrap, settings.kafka.dead_letter_topic,
                               settings.kafka.client_id, os.getpid(), str(profile) if profile else None,
                               str(spool), settings.kafka, settings.lake))
        self.unanswered = 0  # batches submitted and not answered yet
        self.arrived: list[tuple[str, Any]] = []

    def submit(self, handoff: Handoff, fd: int, quarantine: str | None = None) -> None:
        """Queue a batch (its file ``fd``, closed here once sent: the landing process holds its
        own descriptor and unmaps the file once validated, which frees it) for landing; answers
        come back in submission order. With ``quarantine`` (why), its records are dead-lettered
        unread."""
        try:
            self.conn.send((handoff, quarantine))
            send_handle(self.conn, fd, self.process.pid)
        except OSError as exc:
            raise self._died() from exc
        finally:
            os.close(fd)
        self.unanswered += 1

    def ready(self) -> bool:
        """Whether the answer for the oldest unanswered batch has arrived."""
        return bool(self.arrived) or (self.unanswered > 0 and self.conn.poll())

    def drain(self) -> None:
        """Wait until every batch is landed, keeping the answers for :meth:`answer` (if the
        process died, :meth:`answer` says so)."""
        while self.unanswered > 0 and self._receive():
            pass

    def answer(self) -> Counts:
        """The oldest batch's :class:`Counts` (waits for it); raises the error landing raised."""
        if not self.arrived and not self._receive():
            raise self._died()
        kind, value = self.arrived.pop(0)
        if kind == "error":
            raise value
        return Counts(*value)

    def _receive(self) -> bool:
        try:
            self.arrived.append(self.conn.recv())
        except (EOFError, OSError):
            return False
        self.unanswered -= 1
        return True

    def _died(self) -> LandingDied:
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        code = self.process.returncode
        how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        return LandingDied(f"the landing process stopped ({how})")

    def close(self) -> None:
        """Stop the landing process after the batches it has."""
        with contextlib.suppress(OSError):
            self.conn.send(None)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.conn.close()
        self.unanswered = 0


class LandingDied(LakeError):
    """The landing process is gone; the batches it had were not answered."""


class Counts(NamedTuple):
    """What landing one batch did (a plain tuple: unpickling it imports nothing)."""

    events: int
    duplicates: int
    dead: int
    spooled: int  # dead letters waiting for their topic (ingest.letter_spool)


class _Config(NamedTuple):
    lake: str
    ingest: IngestSettings
    bootstrap: str
    dead_letter_topic: str
    client_id: str
    parent: int
    profile: str | None
    spool: str
    kafka: KafkaSettings
    lake_settings: LakeSettings


def main(fd: int) -> None:
    """The landing process, talking over the socket ``fd``."""
    memory.configure()
    conn = Connection(fd)
    config: _Config = conn.recv()
    _die_with(config.parent)
    serve(conn, config)


def serve(conn: Connection, config: _Config) -> None:
    """Land each handed-off batch and answer, until told to stop. A writer thread writes and
    commits batch n (Parquet encoding, fsync: mostly outside the GIL) while this thread reads and
    validates batch n + 1; one writer keeps the commits and answers in order."""
    import pyarrow as pa

    from ingest.batch_validation import Validated, finish_in_order, prepare
    from ingest.deadletters import DeadLetterTopic
    from lake.backend import open_writer

    pa.set_memory_pool(pa.system_memory_pool())  # gives freed batch memory back to the system
    release = memory.Releaser()
    lander = open_writer(config.lake, config.ingest, config.lake_settings)
    dlq = DeadLetterTopic(config.bootstrap, config.dead_letter_topic, config.client_id,
                          Path(config.spool), config.ingest, config.kafka)
    profiles = _Profiles(config.profile)
    failed: dict[tuple[str, int], int] = {}  # partition -> start of its failed batch

    def write(validated: Validated) -> None:
        with profiles.measure():
            answer = finish_in_order(validated, lander, dlq, failed)
        conn.send(answer)
        del validated
        release()

    writer = ThreadPoolExecutor(1, thread_name_prefix="aftershock-write")
    previous: Future[None] | None = None
    try:
        while (received := _receive(conn)) is not None:
            with profiles.measure():
                handoff, fd, quarantine = received
                validated = prepare(handoff, fd, config.ingest, quarantine)
            current = writer.submit(write, validated)
            del validated
            if previous is not None:
                previous.result()  # the next batch comes only after this one is answered anyway
            previous = current
    finally:
        writer.shutdown(wait=True)
        dlq.close()
        profiles.dump()


class _Profiles:
    """cProfile per thread (a profile measures the thread that enables it), dumped as one."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self.profiles: dict[int, cProfile.Profile] = {}

    @contextlib.contextmanager
    def measure(self) -> Iterator[None]:
        if self.path is None:
            yield
            return
        profile = self.profiles.setdefault(threading.get_ident(), cProfile.Profile())
        profile.enable()
        try:
            yield
        finally:
            profile.disable()

    def dump(self) -> None:
        if self.path is None or not self.profiles:
            return
        first, *others = self.profiles.values()
        stats = pstats.Stats(first)
        for other in others:
            stats.add(other)
        stats.dump_stats(self.path)


def _die_with(parent: int) -> None:
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)
    crashpoints.die_with(parent)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the poll process died before the line above
        os._exit(1)


def _receive(conn: Connection) -> tuple[Handoff, int, str | None] | None:
    """The next batch, its file descriptor and whether it is quarantined (None: stop)."""
    try:
        message: tuple[Handoff, str | None] | None = conn.recv()
        return None if message is None else (message[0], recv_handle(conn), message[1])
    except (EOFError, OSError):
        return None


def spool_dir(lake: Path | str) -> Path:
    """Where dead letters wait for their topic by default: in a local lake, else (a lake on object
    storage) in this host's state folder, one folder per lake."""
    if isinstance(lake, Path):
        return lake / SPOOL_DIR
    digest = hashlib.sha256(lake.encode()).hexdigest()[:16]
    return state_home() / "dead_letter_spool" / digest
