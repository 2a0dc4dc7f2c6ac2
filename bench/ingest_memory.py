"""Peak memory of the ingest worker draining a backlog (target: peak RSS < 300 MB).

Run: python bench/ingest_memory.py [--events 1000000] [--bootstrap HOST:PORT] [--prefix P]
Runs ``aftershock ingest run --until-idle`` as a child process over a backlog of ``--events`` and
samples, every 20 ms, the resident set size of the worker and of every process it started (its
landing process) plus the in-memory files of batches handed between them (``memfd``; their pages
a process maps, ``RssShmem``, are counted once); prints the peak of that sum (what the worker holds
at once), the peak of each process, and the size of the backlog.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from ingest_data import backlog, broker, say

from aftershock.settings import KafkaSettings

LIMIT_MB = 300
SAMPLE_S = 0.02


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--bootstrap", default=None)
    parser.add_argument("--prefix", default=None, help="reuse the audit topics of this prefix")
    args = parser.parse_args()
    with broker(args.bootstrap) as bootstrap, tempfile.TemporaryDirectory() as tmp:
        kafka = KafkaSettings(topic_prefix=args.prefix or f"mem{uuid.uuid4().hex[:8]}.")
        held = backlog(bootstrap, kafka, args.events)
        say(f"backlog: {held:,} events; draining with the worker...")
        env = {k: v for k, v in os.environ.items()  # AFTERSHOCK_INGEST__* pass through
               if not k.startswith("AFTERSHOCK_") or k.startswith("AFTERSHOCK_INGEST__")}
        env |= {"AFTERSHOCK_KAFKA__BOOTSTRAP_SERVERS": bootstrap,
                "AFTERSHOCK_KAFKA__TOPIC_PREFIX": kafka.topic_prefix,
                "AFTERSHOCK_INGEST__GROUP_ID": f"mem-{uuid.uuid4().hex}",
                "AFTERSHOCK_INGEST__PROGRESS_INTERVAL_S": "30"}
        began = time.perf_counter()
        worker = subprocess.Popen([sys.executable, "-m", "aftershock", "ingest", "run", "--lake",
                                   str(Path(tmp) / "lake"), "--until-idle", "3"], env=env)
        total, each = _watch(worker)
        took = time.perf_counter() - began
        if worker.returncode:
            raise SystemExit(f"worker exited with {worker.returncode}")
    print(f"backlog                {held:,} events")
    print(f"worker wall time       {took:.1f} s")
    print("peak RSS per process   " + ", ".join(f"{name} {mb:.0f} MB" for name, mb in each.items()))
    print(f"worker peak RSS        {total:.0f} MB   (all its processes and handoff blocks at once; "
          f"limit {LIMIT_MB} MB: {'ok' if total < LIMIT_MB else 'OVER'}; "
          f"ratio {total / LIMIT_MB:.2f} of the limit)")


def _watch(worker: subprocess.Popen[bytes]) -> tuple[float, dict[str, float]]:
    """Sample until ``worker`` exits: (peak of the summed MB, peak MB per process name)."""
    peak, each = 0.0, dict[str, float]()
    while worker.poll() is None:
        tree = _tree(worker.pid)
        sizes = {f"{_name(pid)}[{pid}]": _status_mb(pid, "VmRSS") for pid in tree}
        mapped = sum(_status_mb(pid, "RssShmem") for pid in tree)
        blocks = _memfd_bytes(tree) / 2**20
        peak = max(peak, sum(sizes.values()) + max(blocks - mapped, 0.0))
        for name, mb in sizes.items():
            each[name] = max(each.get(name, 0.0), mb)
        each["handoff blocks"] = max(each.get("handoff blocks", 0.0), blocks)
        time.sleep(SAMPLE_S)
    return peak, each


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants."""
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        try:
            tasks = os.listdir(f"/proc/{current}/task")
            for task in tasks:
                todo += [int(c) for c in Path(f"/proc/{current}/task/{task}/children").read_text().split()]
        except OSError:
            continue
    return out


def _status_mb(pid: int, field: str) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return "?"


def _memfd_bytes(pids: list[int]) -> int:
    """Bytes of the distinct in-memory files (memfd) the processes ``pids`` hold open."""
    seen: dict[tuple[int, int], int] = {}
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            path = f"/proc/{pid}/fd/{fd}"
            try:
                if os.readlink(path).startswith("/memfd:"):
                    info = os.stat(path)
                    seen[(info.st_dev, info.st_ino)] = info.st_size
            except OSError:
                continue
    return sum(seen.values())


if __name__ == "__main__":
    main()
