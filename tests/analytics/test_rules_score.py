"""``rules score`` writes every change's score, tier and fired rules (CSV, JSON lines, Parquet),
the same as the one-change evaluator; ``rules backtest --defects`` labels from defect links."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import duckdb
import pytest

from aftershock.cli import main
from aftershock.errors import ExitCode
from analytics.rules.evaluate import evaluate_change
from analytics.rules.model import load_rules
from ingest.backfill import land_events
from schemas.event import ChangeEvent, parse_obj
from simulator.effects import Effects
from simulator.world import new_context, simulate

SINCE, UNTIL = "2026-01-04", "2026-01-09"


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, ChangeEvent]]:
    events = [parse_obj(e) for e in simulate(new_context(Effects(), seed=3, days=12))]
    lake = tmp_path_factory.mktemp("score") / "lake"
    land_events(lake, events)
    latest: dict[str, ChangeEvent] = {}
    for event in events:
        if isinstance(event, ChangeEvent) and event.change_id and (
                event.change_id not in latest or event.occurred_at >= latest[event.change_id].occurred_at):
            latest[event.change_id] = event
    return lake, latest


@pytest.fixture(scope="module")
def lake(simulated: tuple[Path, dict[str, ChangeEvent]]) -> Path:
    return simulated[0]


@pytest.fixture(scope="module")
def changes(simulated: tuple[Path, dict[str, ChangeEvent]]) -> dict[str, ChangeEvent]:
    return simulated[1]


def test_score_csv_matches_the_evaluator(lake: Path, changes: dict[str, ChangeEvent],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["rules", "score", "--rules", "analytics/rules/default.toml", "--lake", str(lake),
                 "--since", SINCE, "--until", UNTIL]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    inside = {cid for cid, e in changes.items() if SINCE <= e.occurred_at.date().isoformat() < UNTIL}
    assert {r["change_id"] for r in rows} == inside and len(rows) >= 50
    rules = load_rules(None)
    for row in rows:
        expected = evaluate_change(rules, changes[row["change_id"]])
        assert (float(row["score"]), row["tier"]) == (expected.score, expected.tier)
        assert tuple(x for x in row["rules_fired"].split(";") if x) == expected.rules_fired
    assert len({r["tier"] for r in rows}) > 1


def test_score_json_and_parquet_hold_the_same_rows(lake: Path, changes: dict[str, ChangeEvent],
                                                   tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "scores.parquet"
    assert main(["rules", "score", "--rules", "analytics/rules/default.toml", "--lake", str(lake),
                 "--format", "parquet", "--out", str(out)]) == 0
    parquet = duckdb.execute("SELECT change_id, score, tier, rules_fired FROM read_parquet($f)",
                             {"f": str(out)}).fetchall()
    capsys.readouterr()
    assert main(["rules", "score", "--rules", "analytics/rules/default.toml", "--lake", str(lake),
                 "--format", "json"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert sorted((d["change_id"], d["score"], d["tier"], d["rules_fired"]) for d in lines) == \
        sorted((r[0], r[1], r[2], r[3]) for r in parquet)
    assert len(lines) == len(changes)
    assert main(["rules", "score", "--rules", "analytics/rules/default.toml", "--lake", str(lake),
                 "--format", "parquet"]) == ExitCode.CONFIG


def test_backtest_labels_from_defect_links(lake: Path, changes: dict[str, ChangeEvent], tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    ordered = sorted(changes.values(), key=lambda e: (e.occurred_at, e.event_id))
    after = [e for e in ordered if e.occurred_at.date().isoformat() >= SINCE]
    defective = [e.change_id for e in after[::7]]
    links = tmp_path / "defects.csv"
    links.write_text("change,fixed_by\n" + "".join(f"{c},fix-of-{c}\n" for c in defective)
                     + f"{defective[0]},second-fix\nnot-in-lake,fix-x\n")
    capsys.readouterr()
    assert main(["rules", "backtest", "--rules", "analytics/rules/default.toml", "--lake", str(lake),
                 "--split", SINCE, "--defects", str(links), "--format", "json"]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["changes"] == len(after) and report["failed"] == len(defective)
    assert "1 defective change(s) named in" in captured.err
    bad = tmp_path / "bad.csv"
    bad.write_text("commit,fix\na,b\n")
    assert main(["rules", "backtest", "--rules", "analytics/rules/default.toml", "--lake", str(lake),
                 "--split", SINCE, "--defects", str(bad)]) == ExitCode.CONFIG
    assert "CSV header lacks ['change', 'fixed_by']" in capsys.readouterr().err
