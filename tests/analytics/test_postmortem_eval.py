"""The postmortem evaluation harness (simulator/stress.py, evaluation.py, calibrate.py).

- The fitting code recovers weights planted in synthetic candidate groups (pure logic).
- One stress history, delivered as GitHub / PagerDuty / Claude Code payloads and imported with
  ``aftershock import --lake`` into a real lake: every delivery maps, the deployments' shipped
  changes are reconstructed from merge order (a merged pull request and the push that carried it
  are one change), and the ranking beats the naive latest-deployment rule on the change (and is
  no worse on the deployment than one history's noise allows).
"""

from __future__ import annotations

import math
import random

import duckdb
import pytest

from analytics import queries
from simulator.calibrate import conditional_logit, platt
from simulator.evaluation import land, model, reliability_table, score
from simulator.stress import History, generate, variant


def test_conditional_logit_recovers_planted_weights() -> None:
    rng = random.Random(3)  # noqa: S311 (synthetic data, not secrets)
    planted = [1.5, -2.0, 0.7]
    groups = []
    for _ in range(3000):
        members = [[rng.random(), rng.gauss(0, 1), float(rng.random() < 0.3)]
                   for _ in range(rng.randint(2, 5))]
        weights = [math.exp(sum(b * x for b, x in zip(planted, m, strict=True))) for m in members]
        pick = rng.choices(range(len(members)), weights=weights)[0]
        groups.append((members, pick))
    fitted = conditional_logit(groups, penalty=0.01)
    assert fitted == pytest.approx(planted, abs=0.2)


def test_platt_recovers_a_planted_scale_and_shift() -> None:
    rng = random.Random(5)  # noqa: S311 (synthetic data, not secrets)
    points = []
    for _ in range(5000):
        z = rng.gauss(0, 2)
        points.append((z, rng.random() < 1 / (1 + math.exp(-(0.6 * z - 0.8)))))
    scale, shift = platt(points, penalty=0.01)
    assert (scale, shift) == pytest.approx((0.6, -0.8), abs=0.1)
    assert platt([]) == (1.0, 0.0)


def test_reliability_table_bins_per_method() -> None:
    rows = [("time_window", 0.9, True), ("time_window", 0.85, False), ("agent_action", 0.1, False)]
    table = reliability_table(rows)
    assert [(r["method"], r["bin"], r["n"], r["right"]) for r in table] == [
        ("agent_action", "0.0-0.2", 1, 0.0), ("time_window", "0.8-1.0", 2, 0.5)]
    assert table[1]["mean_confidence"] == pytest.approx(0.875)


@pytest.fixture(scope="module")
def history() -> History:
    return generate(variant("multi_change"), 7)


@pytest.fixture(scope="module")
def con(history: History, tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    lake = land(history, tmp_path_factory.mktemp("stress"))  # fails unless every delivery maps
    return model(lake)


def test_shipped_changes_are_reconstructed_from_merge_order(history: History,
                                                           con: duckdb.DuckDBPyConnection) -> None:
    shipped = {(r["deployment_id"], r["change_id"]) for r in queries.rows(con, "eval_shipped")}
    caused = [t for t in history.truth if t["cause_kind"] == "deployment"]
    batches = [t for t in caused if t["batch_size"] > 1 and not t["head"]]
    assert len(caused) >= 30 and len(batches) >= 5
    assert all((t["deployment_id"], t["change_ids"][0]) in shipped for t in caused)
    # the push that carried a pull request's merge commit is not a second change
    assert not [c for _, c in shipped if "@" in c]


def test_ranking_beats_the_naive_rule_on_the_change(history: History, con: duckdb.DuckDBPyConnection) -> None:
    tally = score(con, history.truth)
    shares = tally.shares()
    print(f"\nstress 'multi_change' seed 7: {shares}")
    assert tally.deployment_incidents >= 30
    assert shares["deployment"] is not None and shares["naive_deployment"] is not None
    assert shares["change"] is not None and shares["naive_change"] is not None
    # one history is a small sample: the deployment claim is bench/postmortem_eval.py's, over many
    assert shares["deployment"] >= shares["naive_deployment"] - 0.05
    assert shares["change"] >= shares["naive_change"] + 0.1
