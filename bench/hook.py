"""Hook latency: wall time per invocation, process start included, over the command table.

Run: python bench/hook.py [--rounds N] [--entry aftershock-hook|aftershock|module]
For every command of tests/guard/commands.txt the hook answers a PreToolUse input on stdin, as
Claude Code runs it; `python -c pass` (the same interpreter) runs interleaved as the baseline. Prints
median and p99 of both and their ratio, all measured in this one run (targets: median < 60 ms and
< 2x the baseline), and the median CPU time (user + system) of each, which other work on a shared
machine disturbs less than the wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "tests" / "guard" / "commands.txt"
BIN = Path(sys.executable).parent


def commands() -> list[str]:
    lines = TABLE.read_text(encoding="utf-8").splitlines()
    return [line.split("|", 2)[2].strip() for line in lines if line.strip() and not line.startswith("#")]


def entry_command(entry: str) -> list[str]:
    if entry == "module":
        return [sys.executable, "-m", "guard.hook", "claude-code"]
    if entry == "aftershock":
        return [str(BIN / "aftershock"), "hook", "claude-code"]
    return [str(BIN / "aftershock-hook"), "claude-code"]


def timed(command: list[str], data: bytes, env: dict[str, str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system, the process and what it waited for) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    subprocess.run(command, input=data, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=env, check=False)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--entry", choices=("aftershock-hook", "aftershock", "module"),
                        default="aftershock-hook")
    args = parser.parse_args()
    hook, baseline = entry_command(args.entry), [sys.executable, "-c", "pass"]
    # the least any hook with this parser pays: the interpreter plus importing the parser
    floor = [sys.executable, "-c", "import tree_sitter, tree_sitter_bash"]
    with tempfile.TemporaryDirectory() as home:
        # as installed: modules load from bytecode (written on the first call if the environment
        # forbids it, PYTHONDONTWRITEBYTECODE, which would recompile every module on every start)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["AFTERSHOCK_GUARD_HOME"] = home
        timed(hook, b"{}", env)
        hook_s: list[tuple[float, float]] = []
        base_s: list[tuple[float, float]] = []
        floor_s: list[tuple[float, float]] = []
        for _ in range(args.rounds):
            for i, command in enumerate(commands()):
                data = json.dumps({"session_id": "bench", "cwd": "/work/proj", "tool_use_id": f"t{i}",
                                   "hook_event_name": "PreToolUse", "tool_name": "Bash",
                                   "tool_input": {"command": command}}).encode()
                base_s.append(timed(baseline, b"", env))
                floor_s.append(timed(floor, b"", env))
                hook_s.append(timed(hook, data, env))
    print(f"{len(hook_s)} invocations of {Path(hook[0]).name} {' '.join(hook[1:])}")
    for name, samples in (("hook", hook_s), ("python -c pass", base_s), ("parser import", floor_s)):
        wall, cpu = [w for w, _ in samples], [c for _, c in samples]
        print(f"{name:15s} median {statistics.median(wall) * 1000:6.1f} ms  p99 "
              f"{percentile(wall, 0.99) * 1000:6.1f} ms  cpu median {statistics.median(cpu) * 1000:5.1f} ms")
    for kind, at in (("wall", 0), ("cpu", 1)):
        hook_m, base_m, floor_m = (statistics.median(x[at] for x in s) for s in (hook_s, base_s, floor_s))
        print(f"ratio ({kind} median) {hook_m / base_m:.2f}x python -c pass, "
              f"{hook_m / floor_m:.2f}x the parser import")


if __name__ == "__main__":
    main()
