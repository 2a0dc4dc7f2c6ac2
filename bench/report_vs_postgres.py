"""`aftershock report` (DuckDB over the Parquet lake) against the same report's queries run by
PostgreSQL on the same data, in one run.

    .venv/bin/python bench/report_vs_postgres.py [--lake DIR] [--days 365] [--scale 30] [--seed 1]
        [--effects FILE] [--runs 5] [--pg-runs 1] [--keep]

1. The lake: reused when --lake names one that exists, else simulated into --lake (or a temporary
   folder) with `aftershock simulate --days --scale --seed [--effects]`.
2. DuckDB, two ways, each with one warm-up and then the median of --runs timed runs, each from a
   fresh connection through the Python API:
   - cold: `open_lake` + `build_report` in memory (views, model, every report query), each run in
     a fresh process as each `aftershock report` is (builds repeated in one long-lived process
     slow down by ~2 % each: 23.5, 24.0, 24.4, 24.9 s at 10M);
   - stored: what `aftershock report` does on a lake that has not changed since its model was
     stored (analytics/store.py): read the manifest, attach the stored model, run every report
     query. Building and storing that model once is timed on its own.
3. PostgreSQL (Debian's packages; installed with apt-get when `initdb` is missing): a throwaway
   cluster in a temporary folder on a free loopback port, run as a non-root user. The events the
   report reads are exported by DuckDB to CSV (already deduplicated) and loaded with COPY, then
   indexed and analysed (not timed). Timed, per file: bench/postgres/01_*.sql .. 08_report.sql,
   the same model and report questions translated to PostgreSQL, with the report's default
   parameters (the cold figure); then 08_report.sql again over the tables that run built (the
   stored-model figure: the report's queries over a model built beforehand, as DuckDB's stored run).
4. The times, both ratios (cold against cold, stored against stored), and the report's headline
   figures from both engines side by side; exit status 1 if any differs. The cluster is stopped
   at the end, always.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PG_SQL = HERE / "postgres"
TIMED_FILES = ("01_changes.sql", "02_deployments.sql", "03_deployment_changes.sql", "04_incidents.sql",
               "05_link_evidence.sql", "06_links.sql", "07_outcomes.sql", "08_report.sql")
REPORT_FILE = "08_report.sql"
TABLES = ("change", "deployment", "incident", "agent_action")
PG_SETTINGS = ("shared_buffers=2GB", "work_mem=256MB", "maintenance_work_mem=1GB", "fsync=off",
               "synchronous_commit=off", "full_page_writes=off", "max_parallel_workers_per_gather=2",
               "max_wal_size=8GB", "jit=off")


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lake", type=Path, help="lake folder to reuse, or to simulate into if missing")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--scale", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--effects", type=Path, help="simulator effects file (e.g. organisation size)")
    parser.add_argument("--runs", type=int, default=5, help="timed DuckDB runs after one warm-up")
    parser.add_argument("--pg-runs", type=int, default=1, help="timed PostgreSQL runs")
    parser.add_argument("--keep", action="store_true",
                        help="keep the PostgreSQL folder (the cluster still stops)")
    return parser.parse_args(argv)


def ensure_lake(args: argparse.Namespace, scratch: Path) -> Path:
    lake = args.lake or scratch / "lake"
    if (lake / "_manifest").exists():
        log(f"reusing the lake at {lake}")
        return lake
    from aftershock.cli import main

    command = ["simulate", "--days", str(args.days), "--scale", str(args.scale), "--seed", str(args.seed),
               "--lake", str(lake)]
    if args.effects:
        command += ["--effects", str(args.effects)]
    log(f"simulating: aftershock {' '.join(command)}")
    if main(command) != 0:
        raise SystemExit("simulation failed")
    return lake


def lake_size(lake: Path) -> dict[str, int]:
    from lake.reader import open_lake

    con = open_lake(lake)
    cursor = con.execute((PG_SQL / "lake_size.sql").read_text())
    names = [d[0] for d in cursor.description or []]
    sizes = {name: int(value) for name, value in zip(names, cursor.fetchall()[0], strict=True)}
    con.close()
    return sizes


def headline(report: dict[str, Any]) -> dict[str, int]:
    dora, linking, levels = report["dora"], report["linking"], report["ai"]["change_failure_rate"]
    return {"deployments": dora["change_failure_rate"]["denominator"],
            "failed_deployments": dora["change_failure_rate"]["numerator"],
            "rework_deployments": dora["deployment_rework_rate"]["numerator"],
            "incidents": linking["incidents"], "linked_incidents": linking["linked"],
            "changes": sum(x["denominator"] for x in levels),
            "failed_changes": sum(x["numerator"] for x in levels)}


def time_duckdb(lake: Path, runs: int, stored: bool) -> tuple[list[float], dict[str, int]]:
    """Cold (``stored`` False): the lake's views, the model and every report query in a fresh
    in-memory connection of a fresh process, as each `aftershock report` is (the interpreter's
    start and imports are not timed). Stored: what `aftershock report` does on an unchanged lake:
    read the manifest, attach the stored model, run every report query (a fresh connection per
    run)."""
    label = "stored-model" if stored else "cold"
    times, figures = [], {}
    for i in range(runs + 1):
        elapsed, report = _stored_run(lake) if stored else _cold_run(lake)
        figures = headline(report)
        if i:
            times.append(elapsed)
        log(f"duckdb {label} {'warm-up' if i == 0 else f'run {i}'}: {elapsed:.3f} s")
    return times, figures


_COLD_RUN = """
import json, sys, time
from pathlib import Path
from analytics.metrics import ReportParams, build_report
from lake.reader import open_lake
started = time.perf_counter()
con = open_lake(Path(sys.argv[1]))
report = build_report(con, ReportParams())
elapsed = time.perf_counter() - started
Path(sys.argv[2]).write_text(json.dumps({"elapsed": elapsed, "report": report}, default=str))
"""


def _cold_run(lake: Path) -> tuple[float, dict[str, Any]]:
    """One cold build and report in a fresh process: (seconds, the report)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        subprocess.run([sys.executable, "-c", _COLD_RUN, str(lake), str(out)], check=True,
                       cwd=HERE.parent)
        result = json.loads(out.read_text())
    return float(result["elapsed"]), result["report"]


def _stored_run(lake: Path) -> tuple[float, dict[str, Any]]:
    from analytics.metrics import ReportParams, build_report
    from analytics.store import connect

    params = ReportParams()
    started = time.perf_counter()
    con = connect(lake, params.link, params.min_confidence, views=False)
    report = build_report(con, params)
    elapsed = time.perf_counter() - started
    con.close()
    return elapsed, report


def store_model(lake: Path) -> float:
    """Build and store the model once (what the first `report` on a new snapshot does)."""
    from analytics.metrics import ReportParams
    from analytics.store import connect

    params = ReportParams()
    started = time.perf_counter()
    connect(lake, params.link, params.min_confidence, views=False, refresh=True).close()
    elapsed = time.perf_counter() - started
    log(f"duckdb build + store the model: {elapsed:.3f} s")
    return elapsed


def pg_bin() -> Path:
    found = shutil.which("initdb")
    candidates = [Path(found).resolve().parent] if found else []
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    if os.geteuid() != 0:
        raise SystemExit("PostgreSQL is not installed and this user cannot apt-get install it")
    log("installing postgresql with apt-get")
    subprocess.run(["apt-get", "update", "-q"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-q", "postgresql"], check=True,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    return pg_bin()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    """A throwaway PostgreSQL cluster in ``folder``, run as a non-root user."""

    def __init__(self, bindir: Path, folder: Path) -> None:
        self.bindir, self.folder, self.port = bindir, folder, free_port()
        self.data, self.user = folder / "data", "postgres" if os.geteuid() == 0 else None

    def run(self, tool: str, *args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        return subprocess.run([*prefix, str(self.bindir / tool), *args], check=True, text=True, **kw)

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.folder.parent.chmod(0o711)
        if self.user:
            subprocess.run(["id", self.user], check=True, capture_output=True)
            shutil.chown(self.folder, self.user)
        self.folder.chmod(0o755)
        self.run("initdb", "-D", str(self.data), "-A", "trust", "-U", "bench", "--no-sync", "-E", "UTF8",
                 capture_output=True)
        options = " ".join(["-p", str(self.port), "-k", str(self.folder), "-c", "listen_addresses=127.0.0.1",
                            *(x for s in PG_SETTINGS for x in ("-c", s))])
        self.run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.folder / "server.log"),
                 "-w", "start", capture_output=True)
        log(f"postgres {self.bindir.parent.name} on 127.0.0.1:{self.port}")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", capture_output=True)
            log("postgres stopped")

    def psql(self, *args: str, output: bool = False) -> str:
        params = {"environment": "production", "window_minutes": "1440", "skew_minutes": "15",
                  "decay_minutes": "120", "min_confidence": "0.5"}
        variables = [x for k, v in params.items() for x in ("-v", f"{k}={v}")]
        done = self.run("psql", "-X", "-q", "-h", "127.0.0.1", "-p", str(self.port), "-U", "bench",
                        "-d", "postgres", "-v", "ON_ERROR_STOP=1", *variables, *args, capture_output=True,
                        env={**os.environ, "PGOPTIONS": "-c search_path=m,public"})
        return done.stdout if output else ""


@contextmanager
def cluster(folder: Path, keep: bool) -> Iterator[Cluster]:
    db = Cluster(pg_bin(), folder)
    try:
        db.start()
        yield db
    finally:
        db.stop()
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)


def load(db: Cluster, lake: Path) -> None:
    from lake.reader import open_lake

    con = open_lake(lake)
    con.execute("SET TimeZone = 'UTC'")
    db.psql("-f", str(PG_SQL / "schema.sql"))
    for table in TABLES:
        path = db.folder / f"{table}.csv"
        started = time.perf_counter()
        con.sql((PG_SQL / f"export_{table}.sql").read_text()).write_csv(str(path))
        path.chmod(0o644)
        db.psql("-c", f"COPY ev_{table} FROM '{path}' WITH (FORMAT csv, HEADER true)")
        path.unlink()
        log(f"loaded {table} in {time.perf_counter() - started:.1f} s")
    con.close()
    db.psql("-f", str(PG_SQL / "indexes.sql"))


def time_postgres(db: Cluster, runs: int) -> tuple[list[float], list[float], dict[str, int]]:
    """Each run: every file from an empty schema (the cold figure), then the report file alone
    again over the tables the run built (the stored-model figure)."""
    full, report = [], []
    for i in range(runs):
        db.psql("-c", "DROP SCHEMA IF EXISTS m CASCADE", "-c", "CREATE SCHEMA m")
        steps = {}
        for name in TIMED_FILES:
            started = time.perf_counter()
            db.psql("-o", os.devnull, "-f", str(PG_SQL / name))
            steps[name] = time.perf_counter() - started
        full.append(sum(steps.values()))
        started = time.perf_counter()
        db.psql("-o", os.devnull, "-f", str(PG_SQL / REPORT_FILE))
        report.append(time.perf_counter() - started)
        log(f"postgres run {i + 1}: {full[-1]:.1f} s in all ("
            + ", ".join(f"{k.removesuffix('.sql')} {v:.1f}" for k, v in steps.items())
            + f"); report queries again over the built tables {report[-1]:.2f} s")
    rows = list(csv.DictReader(io.StringIO(db.psql("--csv", "-f", str(PG_SQL / "checks.sql"), output=True))))
    return full, report, {k: int(v) for k, v in rows[0].items()}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="aftershock-bench-"))
    try:
        lake = ensure_lake(args, scratch)
        sizes = lake_size(lake)
        events = sum(sizes[t] for t in TABLES)
        log(f"lake: {events:,} events, {sizes['changes']:,} changes")
        cold, cold_figures = time_duckdb(lake, args.runs, stored=False)
        build = store_model(lake)
        warm, warm_figures = time_duckdb(lake, args.runs, stored=True)
        with cluster(scratch / "pg", args.keep) as db:
            started = time.perf_counter()
            load(db, lake)
            log(f"postgres load + indexes: {time.perf_counter() - started:.1f} s (not timed)")
            pg_full, pg_report, pg_figures = time_postgres(db, args.pg_runs)
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    print_results(lake, sizes, events, (cold, build, warm), (pg_full, pg_report))
    return compare_figures({"duckdb cold": cold_figures, "duckdb stored": warm_figures}, pg_figures)


def print_results(lake: Path, sizes: dict[str, int], events: int,
                  duck: tuple[list[float], float, list[float]], pg: tuple[list[float], list[float]]) -> None:
    cold, build, warm = duck
    pg_full, pg_report = statistics.median(pg[0]), statistics.median(pg[1])
    print(f"lake                      {lake}")
    print(f"events                    {events:,} ({', '.join(f'{t} {sizes[t]:,}' for t in TABLES)})")
    print(f"changes                   {sizes['changes']:,}")
    print(f"duckdb report, cold       {statistics.median(cold):.3f} s median of {len(cold)} "
          f"(min {min(cold):.3f}, max {max(cold):.3f}): views, model, report queries")
    print(f"duckdb build + store      {build:.3f} s once per lake snapshot")
    print(f"duckdb report, stored     {statistics.median(warm):.3f} s median of {len(warm)} "
          f"(min {min(warm):.3f}, max {max(warm):.3f}): `aftershock report` on an unchanged lake")
    print(f"postgres, cold            {pg_full:.3f} s median of {len(pg[0])}: model and report queries")
    print(f"postgres, report queries  {pg_report:.3f} s median of {len(pg[1])}: over its built model")
    print(f"ratio cold   postgres/duckdb {pg_full / statistics.median(cold):.1f}x")
    print(f"ratio stored postgres/duckdb {pg_report / statistics.median(warm):.1f}x")


def compare_figures(duck: dict[str, dict[str, int]], pg: dict[str, int]) -> int:
    differs = 0
    for label, figures in duck.items():
        for key, value in figures.items():
            same = pg.get(key) == value
            differs += not same
            print(f"  {label:<14} {key:<20} {value:>10,}  postgres {pg.get(key, -1):>10,}  "
                  f"{'same' if same else 'DIFFERS'}")
    return 1 if differs else 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    raise SystemExit(main())
