"""Gate start-up and diff reading: ``aftershock classify --git RANGE`` on a 1,000-file change.

Run: python bench/classify.py [--files 1000] [--runs 7]
Builds a real git repository in a temporary folder (a base commit, then one commit changing
every file: app code, IAM policies with a wildcard, migrations with a DROP, workflows, docs),
then times, alternately in the same run, the whole command (a fresh interpreter, JSON output)
and ``git diff --numstat`` of the same range as the floor. Prints medians and their ratio;
the target is a median under 300 ms for classify.
"""

from __future__ import annotations

import argparse
import os
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


def _timed(cmd: list[str]) -> tuple[float, str]:
    began = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    took = (time.perf_counter() - began) * 1000
    if done.returncode not in (0, 10, 11):
        raise SystemExit(f"bench: {' '.join(cmd[:4])} failed: {done.stderr.strip()}")
    return took, done.stdout


def _runs(values: list[float]) -> str:
    return ", ".join(f"{x:.0f}" for x in values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        rng = build_repo(root, args.files)
        classify = [sys.executable, "-m", "aftershock", "classify", "--git", rng, "--repo", str(root),
                    "--format", "json"]
        numstat = ["git", "-C", str(root), "diff", "--numstat", rng]
        _timed(classify), _timed(numstat)  # warm the page cache and git's index
        ours, floor = [], []
        for _ in range(args.runs):
            took, out = _timed(classify)
            ours.append(took)
            floor.append(_timed(numstat)[0])
        assert f'"files": {args.files}' in out, "classify did not see every file"
    load = os.getloadavg()[0]
    med, base = statistics.median(ours), statistics.median(floor)
    print(f"files changed                 {args.files}")
    print(f"git diff --numstat            median {base:7.1f} ms  (runs {_runs(floor)})")
    print(f"aftershock classify --git     median {med:7.1f} ms  (runs {_runs(ours)})")
    print(f"ratio classify / numstat      {med / base:.1f}x")
    print(f"target < {TARGET_MS:.0f} ms               {'met' if med < TARGET_MS else 'NOT met'}")
    print(f"load average (1 min)          {load:.2f}")


if __name__ == "__main__":
    main()
