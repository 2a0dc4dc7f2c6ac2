"""Rebuild the stored model of a lake and the pages' figures over it
(:mod:`analytics.board.prebuilt`) in the background, one rebuild at a time.

:func:`start` launches ``python -m analytics.board.refresh`` as a separate process (so a page
render never waits for a build and the build does not compete with renders for the
interpreter) unless one already runs for the lake. The process holds an ``flock`` on
``<lake>/_model/.rebuild.lock`` while it builds: across dashboard sessions and processes only one
rebuild runs; a second one started meanwhile finds the lock taken and exits at once. Its output
goes to ``<lake>/_model/.rebuild.log``. A rebuild that fails (an error, or its process killed)
leaves ``<lake>/_model/.rebuild.failed`` naming the manifest entry, the time and the error, so
the pages can say so (:func:`failure`); it is not started again for that entry (the next commit
or a successful rebuild clears it).

For a lake on object storage these files are in the lake's local cache folder
(:func:`analytics.store.model_folder`), and the lock is a local ``flock`` there. That is enough:
the stored model it guards is in the same cache, which belongs to one host, so only the
dashboards of that host can rebuild it; dashboards on other hosts build their own copy in their
own cache (the same figures, since the model is keyed by the manifest head), never the same file.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import subprocess
import sys
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from aftershock.settings import IngestSettings, QuerySettings, memory_size
from analytics.model import LinkParams
from analytics.store import model_folder
from lake.options import lake_argument
from lake.readers import Location

LOCK_NAME = ".rebuild.lock"
LOG_NAME = ".rebuild.log"
FAILED_NAME = ".rebuild.failed"
BUILD_TIMEOUT_S = 3600.0
"""A background computation may take longer than a page's query timeout (no one waits for it)."""
BUILD_MEMORY_SHARE = 0.6
"""... and use more memory than a page's session: one rebuild runs at a time (the lock), and
scoring every change of a 12M-event lake needs about 3 GB (the risk-rules history)."""
_children: list[tuple[subprocess.Popen[bytes], Location, int]] = []


@dataclass(frozen=True)
class Failure:
    """The last failed rebuild of a lake: the manifest entry it built, when, and why."""

    seq: int
    at: datetime
    message: str
    log: Path


def failure(lake: Location) -> Failure | None:
    """The recorded failure of the last rebuild of ``lake``, if it failed."""
    folder = model_folder(lake)
    try:
        found = json.loads((folder / FAILED_NAME).read_text(encoding="utf-8"))
        return Failure(int(found["seq"]), datetime.fromisoformat(found["at"]), str(found["message"]),
                       folder / LOG_NAME)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def record_failure(lake: Location, seq: int, message: str) -> None:
    """Note that the rebuild of entry ``seq`` failed (replacing an earlier note)."""
    path = model_folder(lake) / FAILED_NAME
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps({"seq": seq, "at": datetime.now(UTC).isoformat(),
                                     "message": message}), encoding="utf-8")
    os.replace(temporary, path)


def _current_seq(lake: Location) -> int:
    from lake.readers import snapshot

    return snapshot(lake).seq


def lock_path(lake: Location) -> Path:
    return model_folder(lake) / LOCK_NAME


def running(lake: Location) -> bool:
    """Whether a rebuild of ``lake`` holds the lock now."""
    try:
        fd = os.open(lock_path(lake), os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing releases a lock taken here
    return False


def start(lake: Location, params: LinkParams, min_confidence: float, rules_file: Path | None = None) -> bool:
    """Start a rebuild of the model of the lake's current snapshot and of the pages' figures
    (with ``rules_file``, default: the packaged rules) unless one runs; True if started. Never
    waits for it."""
    _reap()
    if running(lake):
        return False
    seq = _current_seq(lake)
    failed = failure(lake)
    if failed is not None and failed.seq == seq:
        return False
    folder = model_folder(lake)
    folder.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "analytics.board.refresh", str(lake),
               "--environment", params.environment, "--window-minutes", str(params.window_minutes),
               "--skew-minutes", str(params.skew_minutes),
               "--min-confidence", str(min_confidence),
               *(["--rules", str(rules_file)] if rules_file else [])]
    with open(folder / LOG_NAME, "ab") as log:
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log,
                                 stderr=subprocess.STDOUT, start_new_session=True)
    _children.append((child, lake, seq))
    return True


def _reap() -> None:
    """Collect the exit status of finished rebuilds (no zombie processes); one killed before it
    could say so is recorded as failed."""
    for child, lake, seq in list(_children):
        code = child.poll()
        if code is None:
            continue
        _children.remove((child, lake, seq))
        if code < 0 and failure(lake) is None:
            record_failure(lake, seq, f"the rebuild process was ended by signal {-code}")


def rebuild(lake: Location, params: LinkParams, min_confidence: float, rules_file: Path | None = None,
            limits: QuerySettings | None = None, timestamps: IngestSettings | None = None) -> bool:
    """Build and store the model of the current snapshot and then the pages' figures over it
    (their queries under ``limits``) under the lock; False when another rebuild holds it."""
    from analytics.board import prebuilt
    from analytics.board.source import locate
    from analytics.store import connect, prune

    model_folder(lake).mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path(lake), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        seq = _current_seq(lake)
        # older models stay readable (with their figures) until this one's figures are stored
        connect(lake, params, min_confidence, views=False, progress=_say, keep_older=True).close()
        _check_stored(lake, params, min_confidence, seq)
        src = locate(lake, params, min_confidence, limits, timestamps=timestamps)
        figures = prebuilt.build(src, rules_file, _say)
        if src.model is not None:
            prune(src.model)
        prebuilt.prune(figures)
        return True
    finally:
        os.close(fd)


def _check_stored(lake: Location, params: LinkParams, min_confidence: float, seq: int) -> None:
    """An AnalyticsError unless a model of entry ``seq`` or a later one is stored now."""
    from aftershock.errors import AnalyticsError
    from analytics.board.source import locate

    found = locate(lake, params, min_confidence).model_seq
    if found is None or found < seq:
        raise AnalyticsError(f"the model of manifest entry {seq} was built but could not be stored in "
                             f"{model_folder(lake)} (see the lines above): check that folder's space "
                             "and permissions")


def _say(message: str) -> None:
    print(message, flush=True)


def build_memory_limit() -> str:
    """:data:`BUILD_MEMORY_SHARE` of the machine's physical memory, as DuckDB takes it."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{int(total * BUILD_MEMORY_SHARE) // 2**20}MiB"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analytics.board.refresh",
                                     description="Build and store the model of a lake's current snapshot.")
    parser.add_argument("lake", type=lake_argument)
    defaults = LinkParams()
    parser.add_argument("--environment", default=defaults.environment)
    parser.add_argument("--window-minutes", type=int, default=defaults.window_minutes)
    parser.add_argument("--skew-minutes", type=int, default=defaults.skew_minutes)
    parser.add_argument("--min-confidence", type=float, default=0.5)
    parser.add_argument("--rules", type=Path, help="the rules file of the risk-rules page")
    parser.add_argument("--timeout-s", type=float, default=BUILD_TIMEOUT_S,
                        help="stop a page's computation after this many seconds")
    parser.add_argument("--memory-limit", type=memory_size, default=build_memory_limit(),
                        help="most memory DuckDB may use for the rebuild (default: "
                        f"{BUILD_MEMORY_SHARE * 100:.0f}%% of the machine's memory)")
    args = parser.parse_args(argv)
    params = LinkParams(args.environment, args.window_minutes, args.skew_minutes)
    from aftershock.errors import AftershockError
    from aftershock.settings import load_settings

    seq = 0
    try:
        seq = _current_seq(args.lake)
        settings = load_settings()
        limits = settings.query.model_copy(update={"timeout_s": args.timeout_s,
                                                   "memory_limit": args.memory_limit})
        built = rebuild(args.lake, params, args.min_confidence, args.rules, limits, settings.ingest)
    except AftershockError as exc:
        print(f"aftershock: {exc}", flush=True)
        record_failure(args.lake, seq, str(exc))
        return int(exc.exit_code)
    except Exception as exc:  # noqa: BLE001 (any error of a rebuild is recorded for the pages)
        traceback.print_exc(file=sys.stdout)
        record_failure(args.lake, seq, f"{type(exc).__name__}: {exc}".splitlines()[0])
        return 1
    if built:
        (model_folder(args.lake) / FAILED_NAME).unlink(missing_ok=True)
    print("model stored" if built else "another rebuild holds the lock; nothing to do", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
