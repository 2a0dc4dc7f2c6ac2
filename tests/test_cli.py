"""The command line: instant help, one-line errors, the demo end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("pydantic", "duckdb", "kafka", "pyarrow", "streamlit", "pandas")


def test_help_imports_nothing_heavy() -> None:
    probe = (
        "import sys, contextlib, io\n"
        "from aftershock.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try: main(['--help'])\n"
        "    except SystemExit: pass\n"
        f"print(__import__('json').dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_every_subcommand_has_help() -> None:
    from aftershock.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, subparser in sub.choices.items():  # type: ignore[attr-defined]
        assert subparser.description or subparser.format_help(), name


def test_errors_are_one_line_with_exit_code(tmp_path: object) -> None:
    env = {**os.environ, "AFTERSHOCK_BROKER__STATE_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "aftershock", "kafka", "status"],
                          capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 3
    assert done.stderr.count("\n") == 1 and "no broker running" in done.stderr


@pytest.mark.kafka
def test_demo_runs_the_pipeline_end_to_end(kafka_bootstrap: str, topic_prefix: str,
                                           tmp_path: Path) -> None:
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
           "AFTERSHOCK_KAFKA__TOPIC_PREFIX": topic_prefix}
    done = subprocess.run(
        [sys.executable, "-m", "aftershock", "demo", "--days", "3", "--out", str(tmp_path)],
        capture_output=True, text=True, env=env, timeout=600, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "round trip: 5 sent, 5 read back identical" in done.stdout
    assert f"{topic_prefix}changes[0]@0" in done.stdout
    assert "0 findings" in done.stdout + done.stderr
    assert "change failure rate" in done.stdout
    assert "Suspects:" in done.stdout
    landed = subprocess.run(
        [sys.executable, "-m", "aftershock", "query", "SELECT count(*) FROM change",
         "--lake", str(tmp_path / "lake"), "--format", "csv"],
        capture_output=True, text=True, env=env, check=True,
    )
    assert int(landed.stdout.split()[-1]) > 0
