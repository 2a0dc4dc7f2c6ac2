"""Run ``aftershock ingest run`` as a real subprocess for the worker tests."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from lake.manifest import snapshot


def worker_env(bootstrap: str, prefix: str, group: str, **ingest: object) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AFTERSHOCK_") and k != "KAFKA_BOOTSTRAP_SERVERS"}
    env |= {"AFTERSHOCK_KAFKA__BOOTSTRAP_SERVERS": bootstrap,
            "AFTERSHOCK_KAFKA__TOPIC_PREFIX": prefix,
            "AFTERSHOCK_INGEST__GROUP_ID": group,
            "AFTERSHOCK_INGEST__SESSION_TIMEOUT_MS": "6000",
            "AFTERSHOCK_INGEST__PROGRESS_INTERVAL_S": "0.5"}
    env |= {f"AFTERSHOCK_INGEST__{k.upper()}": str(v) for k, v in ingest.items()}
    return env


def start_worker(lake: Path, env: dict[str, str], log: Path, until_idle: float | None = 4.0,
                 crash_point: str | None = None) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "aftershock", "ingest", "run", "--lake", str(lake)]
    if until_idle is not None:
        command += ["--until-idle", str(until_idle)]
    run_env = env | ({"AFTERSHOCK_CRASH_POINT": crash_point} if crash_point else {})
    with open(log, "ab") as handle:
        return subprocess.Popen(command, env=run_env, stdout=handle, stderr=handle)


def wait_for_log(log: Path, pattern: str, timeout_s: float = 60.0) -> None:
    """Wait until the regular expression ``pattern`` matches the worker's log."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if log.exists() and re.search(pattern, log.read_text(errors="replace")):
            return
        time.sleep(0.1)
    raise AssertionError(f"{pattern!r} not in {log} after {timeout_s}s:\n{log.read_text()[-3000:]}")


def raw_rows(lake: Path, table: str) -> duckdb.DuckDBPyConnection:
    """A connection whose view ``raw`` holds every row of the live files of ``table``, undeduped."""
    files = [str(lake / p) for p in snapshot(lake).files_of(table)]
    con = duckdb.connect()
    con.execute("SET VARIABLE raw_files = $files", {"files": files})
    con.execute("CREATE VIEW raw AS SELECT * FROM read_parquet(getvariable('raw_files'), "
                "union_by_name = true)")
    return con
