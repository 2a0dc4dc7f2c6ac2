"""Gate start-up and diff reading: ``aftershock classify --git RANGE`` on a 1,000-file change.

Run: python bench/classify.py [--files 1000] [--runs 7] [--compare DIR]
Builds a real git repository in a temporary folder (a base commit, then one commit changing
every file: app code, IAM policies with a wildcard, migrations with a DROP, workflows, docs),
then times, alternately in the same run, the whole command (a fresh interpreter, JSON output)
and ``git diff --numstat`` of the same range as the floor. Prints medians of wall time and of
CPU time (user + system of the process and its git children: less sensitive to a loaded
machine than wall time) and the ratio of the wall times;
the target is a median under 300 ms for classify. ``--compare DIR`` also times, in the same
alternation, the command of another source tree (e.g. ``git archive`` of an older commit
unpacked in DIR: it runs with DIR first on the path).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_MS = 300.0
_KINDS = ("src/svc/mod{i}.py", "iam/policies/p{i}.json", "migrations/{i:04d}_x.sql",
          ".github/workflows/w{i}.yml", "docs/page{i}.md", "libs/common/u{i}.go")
_ENV = {"GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.com",
        "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True,
                          env=os.environ | _ENV).stdout.strip()


def _content(path: str, version: int) -> str:
    body = [f"line {n} of {path} v{version if n % 4 == 0 else 0}" for n in range(40)]
    if version and path.endswith(".json"):
        body.append('{"Action": "*"}')
    if version and path.endswith(".sql"):
        body.append("DROP TABLE legacy;")
    return "\n".join(body) + "\n"


def build_repo(root: Path, files: int) -> str:
    paths = [_KINDS[i % len(_KINDS)].format(i=i) for i in range(files)]
    _git(root, "init", "-q", "-b", "main")
    for version in (0, 1):
        for rel in paths:
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(_content(rel, version))
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "-m", f"v{version}\n\nCo-authored-by: Claude <noreply@anthropic.com>")
    return "HEAD~1..HEAD"


CPU: list[float] = []  # CPU ms of each timed command, in order


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (used.ru_utime + used.ru_stime) * 1000


def _timed(cmd: list[str], src: Path | None = None) -> tuple[float, str]:
    env = os.environ | {"PYTHONPATH": str(src)} if src else None
    cpu, began = _cpu(), time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env, cwd=src)
    took = (time.perf_counter() - began) * 1000
    CPU.append(_cpu() - cpu)
    if done.returncode not in (0, 10, 11):
        raise SystemExit(f"bench: {' '.join(cmd[:4])} failed: {done.stderr.strip()}")
    return took, done.stdout


def _runs(values: list[float]) -> str:
    return ", ".join(f"{x:.0f}" for x in values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--compare", type=Path, metavar="DIR", help="another source tree to time alike")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        rng = build_repo(root, args.files)
        classify = [sys.executable, "-m", "aftershock", "classify", "--git", rng, "--repo", str(root),
                    "--format", "json"]
        numstat = ["git", "-C", str(root), "diff", "--numstat", rng]
        _timed(classify), _timed(numstat)  # warm the page cache and git's index
        ours, floor, other = [], [], []
        cpu: dict[str, list[float]] = {"ours": [], "floor": [], "other": []}
        for _ in range(args.runs):
            took, out = _timed(classify)
            ours.append(took)
            cpu["ours"].append(CPU[-1])
            floor.append(_timed(numstat)[0])
            cpu["floor"].append(CPU[-1])
            if args.compare:
                other.append(_timed(classify, args.compare.resolve())[0])
                cpu["other"].append(CPU[-1])
        assert f'"files": {args.files}' in out, "classify did not see every file"
    load = os.getloadavg()[0]
    med, base = statistics.median(ours), statistics.median(floor)
    print(f"files changed                 {args.files}")
    print(f"git diff --numstat            median {base:7.1f} ms  (runs {_runs(floor)}), "
          f"CPU {statistics.median(cpu['floor']):.0f} ms")
    print(f"aftershock classify --git     median {med:7.1f} ms  (runs {_runs(ours)}), "
          f"CPU {statistics.median(cpu['ours']):.0f} ms")
    print(f"ratio classify / numstat      {med / base:.1f}x")
    if other:
        was = statistics.median(other)
        print(f"classify of {args.compare}  median {was:7.1f} ms  (runs {_runs(other)}), "
              f"CPU {statistics.median(cpu['other']):.0f} ms, {was / base:.1f}x numstat")
    print(f"target < {TARGET_MS:.0f} ms               {'met' if med < TARGET_MS else 'NOT met'}")
    print(f"load average (1 min)          {load:.2f}")


if __name__ == "__main__":
    main()
