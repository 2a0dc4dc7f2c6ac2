"""``rules tune`` on a simulated lake recovers the planted risky path categories and beats the
lines-added baseline on the held-out period; ``rules backtest`` reports rules and baselines."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from aftershock.cli import main
from aftershock.errors import ExitCode
from analytics.rules.evaluate import categories
from analytics.rules.model import Rules, load_rules
from simulator.paths import sample_path

SPLIT = "2026-03-20"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=[5, 6])
def lake(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp(f"lake{request.param}")
    truth = folder / "truth.json"
    code = main(["simulate", "--days", "120", "--seed", str(request.param), "--lake", str(folder / "lake"),
                 "--truth", str(truth)])
    assert code == 0
    return folder / "lake", truth


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    capsys.readouterr()
    assert main(list(argv)) == 0
    return dict(json.loads(capsys.readouterr().out))


def _category_weight(rules: Rules, category: str) -> tuple[float, set[str]]:
    """The weight the rules give a change touching only files of the simulator's ``category``."""
    rng = random.Random(0)  # noqa: S311 (sample paths, not secrets)
    paths = tuple(sample_path(rng, category, "payments-api") for _ in range(40))
    matched = {c for p in paths for c in categories(rules, (p,))}
    weights = [r.weight for r in rules.rule if set(r.when.categories_any) & matched
               and set(r.when.conditions()) <= {"categories_any"}]
    return max(weights, default=0.0), matched


def test_tune_recovers_planted_risky_categories_and_beats_lines_added(
        lake: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lake_dir, truth_path = lake
    out = tmp_path / "tuned.toml"
    report = _run(capsys, "rules", "tune", "--lake", str(lake_dir), "--split", SPLIT, "--out", str(out),
                  "--format", "json")
    tuned = load_rules(out)
    planted = json.loads(truth_path.read_text())["planted"]["category_multiplier"]
    risky = [c for c, m in planted.items() if m >= 2]
    harmless = [c for c, m in planted.items() if m <= 1]
    ceiling = max(_category_weight(tuned, c)[0] for c in harmless)
    for category in risky:
        weight, matched = _category_weight(tuned, category)
        assert weight >= 0.3 and weight > ceiling, (category, weight, ceiling, matched)
    _, before = _category_weight(load_rules(None), "control_plane")
    _, after = _category_weight(tuned, "control_plane")
    assert not before and all(c.startswith("learned_") for c in after), "control-plane paths were learned"
    after_m, base_m = report["after"]["models"]["rules"], report["after"]["models"]["lines_added"]
    assert after_m["auc"] > base_m["auc"] and after_m["pr_auc"] > base_m["pr_auc"]
    assert after_m["auc"] > report["before"]["models"]["rules"]["auc"]


def test_backtest_reports_rules_and_baselines_on_the_held_out_period(
        lake: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    lake_dir, truth_path = lake
    default = Path("analytics/rules/default.toml")
    report = _run(capsys, "rules", "backtest", "--rules", str(default), "--lake", str(lake_dir),
                  "--split", SPLIT, "--format", "json", "--truth", str(truth_path))
    truth = json.loads(truth_path.read_text())
    assert set(report["models"]) == {"rules", "lines_added", "random"}
    assert report["models"]["random"]["auc"] == 0.5
    assert 0 < report["failed"] < len(truth["changes_bad"])
    assert {r["rule"] for r in report["rules"]} == {r.id for r in load_rules(default).rule}
    assert sum(t["changes"] for t in report["tiers"]) == report["changes"]
    capsys.readouterr()
    argv = ["rules", "backtest", "--rules", str(default), "--lake", str(lake_dir), "--split", SPLIT]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "lines_added" in text and "R@20%lines" in text


def test_split_after_all_history_is_a_clear_error(lake: tuple[Path, Path],
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["rules", "backtest", "--rules", "analytics/rules/default.toml", "--lake", str(lake[0])]
    assert main([*argv, "--split", "2030-01-01"]) == ExitCode.ANALYTICS
    assert "no labelled change on or after 2030-01-01" in capsys.readouterr().err
    assert main([*argv, "--split", "last tuesday"]) == ExitCode.CONFIG
    assert "not an ISO date" in capsys.readouterr().err
