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


GUIDE = '(the settings: README.md, "Configuration")'


@pytest.mark.parametrize(("variable", "value", "command", "expected"), [
    ("AFTERSHOCK_INGEST__BATCH_MAX_RECORDS", "x", ["ingest", "run"],
     "AFTERSHOCK_INGEST__BATCH_MAX_RECORDS (environment): Input should be a valid integer, unable to "
     f"parse string as an integer: set a valid value or unset it {GUIDE}"),
    ("AFTERSHOCK_INGEST__BATCH_MAX_AGE_S", "0", ["ingest", "run"],
     "AFTERSHOCK_INGEST__BATCH_MAX_AGE_S (environment): Input should be greater than 0: set a valid "
     f"value or unset it {GUIDE}"),
    ("AFTERSHOCK_INGEST__BAD_DATA", "maybe", ["report", "--lake", "nowhere"],
     "AFTERSHOCK_INGEST__BAD_DATA (environment): Input should be 'dead_letter' or 'fail': set a "
     f"valid value or unset it {GUIDE}"),
    ("aftershock_broker__port", "80a", ["kafka", "status"],
     "aftershock_broker__port (environment): Input should be a valid integer, unable to parse "
     f"string as an integer: set a valid value or unset it {GUIDE}"),
    ("AFTERSHOCK_KAFKA__TOPIC_PREFIXX", "audit.", ["kafka", "status"],
     f"AFTERSHOCK_KAFKA__TOPIC_PREFIXX (environment): no such setting: unset it {GUIDE}"),
    ("AFTERSHOCK_INGEST", '{"batch_max_records": 0}', ["ingest", "run"],
     "AFTERSHOCK_INGEST (environment): batch_max_records: Input should be greater than or equal to "
     f"1: set a valid value or unset it {GUIDE}"),
    ("AFTERSHOCK_BROKER", "{port", ["kafka", "start"],
     "AFTERSHOCK_BROKER (environment): not valid JSON (Expecting property name enclosed in double "
     f"quotes: line 1 column 2 (char 1)): set a valid value or unset it {GUIDE}"),
])
def test_invalid_setting_is_one_line_naming_the_variable_exit_2(
        variable: str, value: str, command: list[str], expected: str, tmp_path: Path) -> None:
    env = {**os.environ, variable: value, "AFTERSHOCK_BROKER__STATE_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "aftershock", *command], capture_output=True,
                          text=True, env=env, timeout=60, check=False)
    assert (done.returncode, done.stderr, done.stdout) == (2, f"aftershock: invalid setting {expected}\n", "")


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
    assert "round trip: 6 sent, 6 read back identical" in done.stdout
    assert f"{topic_prefix}changes[0]@0" in done.stdout
    assert "0 findings" in done.stdout + done.stderr
    assert "change failure rate" in done.stdout
    assert "Suspects:" in done.stdout
    # the report builds and stores the model; the postmortem reuses it (same lake snapshot and
    # parameters) instead of building it a second time
    assert done.stderr.count("building the model") == 1, done.stderr
    assert done.stderr.count("using the stored model") == 1, done.stderr
    assert len(list((tmp_path / "lake" / "_model").glob("*.duckdb"))) == 1
    landed = subprocess.run(
        [sys.executable, "-m", "aftershock", "query", "SELECT count(*) FROM change",
         "--lake", str(tmp_path / "lake"), "--format", "csv"],
        capture_output=True, text=True, env=env, check=True,
    )
    assert int(landed.stdout.split()[-1]) > 0
