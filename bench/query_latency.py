"""Latency of ``aftershock query`` as a user sees it: a whole process, start to exit.

Run: python bench/query_latency.py [--lake DIR] [--days 90] [--scale 10] [--runs 7]
Without ``--lake`` the lake is made with ``aftershock simulate --days D --scale S --lake`` in a
temporary folder (90 days at scale 10 is about 850,000 events). Each command runs ``--runs``
times in a fresh interpreter; the median wall time is printed with its ratio to ``python -c
pass`` (interpreter start) and to DuckDB's own ``select 1`` (interpreter + ``import duckdb``),
both measured in the same run, so the figures compare across machines and loads.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

AGGREGATE = "SELECT status, count(*) AS n FROM deployment GROUP BY status ORDER BY status"
DUCKDB_SELECT_1 = "import duckdb; duckdb.connect().execute('select 1').fetchall()"


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], runs: int) -> tuple[float, float, float]:
    """Median wall, best wall and median CPU seconds of ``command`` over ``runs`` runs."""
    walls, cpus = [], []
    for _ in range(runs):
        cpu, began = cpu_of_children(), time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        walls.append(time.perf_counter() - began)
        cpus.append(cpu_of_children() - cpu)
    return statistics.median(walls), min(walls), statistics.median(cpus)


def simulate(lake: Path, days: int, scale: float) -> None:
    say(f"simulating {days} days at scale {scale} into {lake} ...")
    subprocess.run([sys.executable, "-m", "aftershock", "simulate", "--days", str(days),
                    "--scale", str(scale), "--lake", str(lake)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def count_events(lake: Path) -> str:
    sql = ("SELECT (SELECT count(*) FROM agent_action) + (SELECT count(*) FROM change) + "
           "(SELECT count(*) FROM deployment) + (SELECT count(*) FROM incident) + "
           "(SELECT count(*) FROM gate_decision)")
    out = subprocess.run([sys.executable, "-m", "aftershock", "query", sql, "--lake", str(lake),
                          "--format", "csv"], check=True, capture_output=True, text=True).stdout
    return out.splitlines()[-1]


def measure(lake: Path, runs: int) -> None:
    files = sum(1 for _ in lake.rglob("*.parquet"))
    say(f"lake {lake}: {count_events(lake)} events in {files} Parquet files; {runs} runs each")
    query = [sys.executable, "-m", "aftershock", "query"]
    rows = [
        ("python -c pass", timed([sys.executable, "-c", "pass"], runs)),
        ("duckdb select 1", timed([sys.executable, "-c", DUCKDB_SELECT_1], runs)),
        ("aftershock query 'select 1'", timed([*query, "select 1", "--lake", str(lake)], runs)),
        ("aftershock query <aggregate>", timed([*query, AGGREGATE, "--lake", str(lake)], runs)),
    ]
    python, duckdb_select = rows[0][1][2], rows[1][1][2]
    print(f"{'command':<30} {'wall s':>7} {'best s':>7} {'cpu s':>7} {'cpu x python':>13} "
          f"{'cpu x duckdb':>13}")
    for name, (median, best, cpu) in rows:
        print(f"{name:<30} {median:>7.3f} {best:>7.3f} {cpu:>7.3f} {cpu / python:>13.1f} "
              f"{cpu / duckdb_select:>13.2f}")
    print(f"aggregate: {AGGREGATE}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lake", type=Path, help="an existing lake (default: simulate one)")
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--scale", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if args.lake is not None:
        measure(args.lake, args.runs)
        return
    with tempfile.TemporaryDirectory() as tmp:
        lake = Path(tmp) / "lake"
        simulate(lake, args.days, args.scale)
        measure(lake, args.runs)


if __name__ == "__main__":
    main()
