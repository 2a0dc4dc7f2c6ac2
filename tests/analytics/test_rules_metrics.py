"""Ranking metrics and the logistic fit, against values worked out by hand."""

from __future__ import annotations

import math

import pytest

from analytics.rules.logistic import Pattern, fit
from analytics.rules.metrics import Item, rule_metrics, score_metrics

# score, failed, lines: sorted by score: 9(F,100) 7(G,10) 7(F,30) 5(G,50) 3(F,10) 1(G,800)
ITEMS = [Item(7, False, 10), Item(9, True, 100), Item(1, False, 800), Item(5, False, 50),
         Item(7, True, 30), Item(3, True, 10)]


def test_auc_counts_ties_as_half() -> None:
    # pairs (failed, good): 9>7,5,1 = 3; 7 vs 7 tie = .5, 7>5,1 = 2; 3>1 = 1 -> 6.5 / 9
    assert score_metrics(ITEMS)["auc"] == pytest.approx(6.5 / 9)


def test_average_precision_steps_at_each_distinct_score() -> None:
    # thresholds 9: P=1 R=1/3; 7: P=2/3 R=2/3; 5: P=2/4; 3: P=3/5 R=1
    assert score_metrics(ITEMS)["pr_auc"] == pytest.approx((1 + 2 / 3 + 3 / 5) / 3)


def test_top_share_splits_the_tie_at_the_cutoff() -> None:
    top = score_metrics(ITEMS * 10)["at_top"]
    # 60 items; top 20% = 12 flagged: the 10 nines (all failed) + 2 of the 20 sevens (half failed)
    assert top["20%"]["flagged"] == 12
    assert top["20%"]["precision"] == pytest.approx(11 / 12)
    assert top["20%"]["recall"] == pytest.approx(11 / 30)
    assert top["5%"]["precision"] == 1.0


def test_effort_aware_recall_spends_lines() -> None:
    # 1000 lines, budget 200: the 9 (100 lines, failed), both sevens (40, one failed), the 5 (50),
    # the 3 (10, failed) use exactly 200; the 1 (800 lines) is not reached
    effort = score_metrics(ITEMS)["effort_aware"]
    assert effort["recall"] == pytest.approx(3 / 3)
    assert effort["changes_share"] == pytest.approx(5 / 6)


def test_constant_score_measures_random_flagging() -> None:
    m = score_metrics([Item(0, i % 4 == 0, 10) for i in range(100)])
    assert m["auc"] == 0.5 and m["pr_auc"] == pytest.approx(0.25)
    assert m["at_top"]["10%"]["precision"] == pytest.approx(0.25)
    assert m["effort_aware"]["recall"] == pytest.approx(0.2)


def test_rule_metrics_support_precision_recall_lift() -> None:
    fired = [("a",), ("a", "b"), (), ("b",)]
    failed = [True, True, False, False]
    a, b = rule_metrics(fired, failed, ["a", "b"])
    assert (a["support"], a["precision"], a["recall"], a["lift"]) == (2, 1.0, 1.0, 2.0)
    assert (b["support"], b["precision"], b["recall"], b["lift"]) == (2, 0.5, 0.5, 1.0)


def test_logistic_fit_recovers_the_closed_form_without_ridge() -> None:
    # one binary feature: the MLE is logit(k1/n1) - logit(k0/n0), intercept logit(k0/n0)
    patterns = [Pattern((), 1000, 50), Pattern((0,), 200, 40)]
    model = fit(patterns, 1, ridge=0.0)

    def logit(p: float) -> float:
        return math.log(p / (1 - p))

    assert model.intercept == pytest.approx(logit(0.05), abs=1e-6)
    assert model.weights[0] == pytest.approx(logit(0.2) - logit(0.05), abs=1e-6)


def test_ridge_shrinks_weights_towards_zero() -> None:
    patterns = [Pattern((), 1000, 50), Pattern((0,), 20, 4), Pattern((1,), 500, 25)]
    free, shrunk = fit(patterns, 2, ridge=0.0), fit(patterns, 2, ridge=10.0)
    assert 0 < shrunk.weights[0] < free.weights[0]
