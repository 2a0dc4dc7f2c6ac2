"""Rebuild the stored model of a lake in the background, one rebuild at a time.

:func:`start` launches ``python -m analytics.board.refresh`` as a separate process (so a page
render never waits for a build and the build does not compete with renders for the
interpreter) unless one already runs for the lake. The process holds an ``flock`` on
``<lake>/_model/.rebuild.lock`` while it builds: across dashboard sessions and processes only one
rebuild runs; a second one started meanwhile finds the lock taken and exits at once. Its output
goes to ``<lake>/_model/.rebuild.log``.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from analytics.model import LinkParams
from analytics.store import MODEL_DIR

LOCK_NAME = ".rebuild.lock"
LOG_NAME = ".rebuild.log"
_children: list[subprocess.Popen[bytes]] = []


def lock_path(lake: Path) -> Path:
    return lake / MODEL_DIR / LOCK_NAME


def running(lake: Path) -> bool:
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


def start(lake: Path, params: LinkParams, min_confidence: float) -> bool:
    """Start a rebuild of the model of the lake's current snapshot unless one runs; True if
    started. Never waits for it."""
    _reap()
    if running(lake):
        return False
    (lake / MODEL_DIR).mkdir(exist_ok=True)
    command = [sys.executable, "-m", "analytics.board.refresh", str(lake),
               "--environment", params.environment, "--window-minutes", str(params.window_minutes),
               "--skew-minutes", str(params.skew_minutes), "--decay-minutes", str(params.decay_minutes),
               "--min-confidence", str(min_confidence)]
    with open(lake / MODEL_DIR / LOG_NAME, "ab") as log:
        _children.append(subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log,
                                          stderr=subprocess.STDOUT, start_new_session=True))
    return True


def _reap() -> None:
    """Collect the exit status of finished rebuilds (no zombie processes)."""
    _children[:] = [child for child in _children if child.poll() is None]


def rebuild(lake: Path, params: LinkParams, min_confidence: float) -> bool:
    """Build and store the model of the current snapshot under the lock; False when another
    rebuild holds it."""
    from analytics.store import connect

    (lake / MODEL_DIR).mkdir(exist_ok=True)
    fd = os.open(lock_path(lake), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        connect(lake, params, min_confidence, views=False, progress=_say).close()
        return True
    finally:
        os.close(fd)


def _say(message: str) -> None:
    print(message, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analytics.board.refresh",
                                     description="Build and store the model of a lake's current snapshot.")
    parser.add_argument("lake", type=Path)
    defaults = LinkParams()
    parser.add_argument("--environment", default=defaults.environment)
    parser.add_argument("--window-minutes", type=int, default=defaults.window_minutes)
    parser.add_argument("--skew-minutes", type=int, default=defaults.skew_minutes)
    parser.add_argument("--decay-minutes", type=float, default=defaults.decay_minutes)
    parser.add_argument("--min-confidence", type=float, default=0.5)
    args = parser.parse_args(argv)
    params = LinkParams(args.environment, args.window_minutes, args.skew_minutes, args.decay_minutes)
    from aftershock.errors import AftershockError

    try:
        built = rebuild(args.lake, params, args.min_confidence)
    except AftershockError as exc:
        print(f"aftershock: {exc}", flush=True)
        return int(exc.exit_code)
    print("model stored" if built else "another rebuild holds the lock; nothing to do", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
