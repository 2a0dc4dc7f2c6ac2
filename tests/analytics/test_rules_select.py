"""Forward selection of the tuner's measures, and scaled terms in the rules file (pure logic)."""

from __future__ import annotations

import numpy as np
import pytest

from aftershock.errors import ConfigError
from analytics.rules.evaluate import evaluate, facts_of
from analytics.rules.metrics import Item, score_metrics
from analytics.rules.model import parse_rules
from analytics.rules.select import Data, forward, rank_auc
from analytics.rules.toml_out import dumps


def _data(rows: int = 4000, seed: int = 3) -> Data:
    """Column 1 (fixed) and column 3 carry the risk; column 2 and 4 are noise."""
    rng = np.random.default_rng(seed)
    fixed = rng.integers(0, 2, rows).astype(float)
    noise = rng.normal(size=(rows, 2))
    signal = rng.exponential(size=rows)
    logit = -2.0 + 0.8 * fixed + 1.2 * signal
    failed = rng.random(rows) < 1 / (1 + np.exp(-logit))
    x = np.column_stack([np.ones(rows), fixed, noise[:, 0], signal, noise[:, 1]])
    return Data(x, failed, fixed=1, validated_from=3000)


def test_rank_auc_matches_the_metrics_module_with_ties() -> None:
    scores = np.array([0.1, 0.4, 0.4, 0.4, 0.9, 0.2, 0.9])
    failed = np.array([False, True, False, True, True, False, False])
    expected = score_metrics(Item(float(s), bool(f), 1) for s, f in zip(scores, failed, strict=True))["auc"]
    assert rank_auc(scores, failed) == pytest.approx(expected)


def test_forward_selection_takes_the_informative_measure_and_stops() -> None:
    steps, fixed_only = forward(_data())
    assert [s.column for s in steps][:1] == [3]
    assert 2 not in [s.column for s in steps] or 4 not in [s.column for s in steps]
    assert steps[0].auc_before == fixed_only < steps[0].auc_after


TERMS = """
version = "t"
[[term]]
id = "log-la"
measure = "lines_added"
weight = 0.5
[[term]]
id = "log-dev"
measure = "developers"
weight = -0.25
[[tier]]
name = "low"
min_score = 0
[[tier]]
name = "high"
min_score = 3
"""


def test_terms_add_weight_times_log1p_in_thousandths_and_round_trip() -> None:
    rules = parse_rules(TERMS, "t")
    a = evaluate(rules, facts_of({"lines_added": 403, "files": []}, {"change.developers": "7"}))
    # ln(404) = 6.0014 -> 6001 milli * 0.5 = 3.0005 -> 3.001
    # ln(8) = 2.0794 -> 2079 milli * -0.25 = -0.51975 -> -0.52
    assert a.terms == (("log-la", 3.001), ("log-dev", -0.52)) and a.score == pytest.approx(2.481)
    assert a.tier == "low"
    unknown = evaluate(rules, facts_of({"lines_added": 403, "files": []}, {}))
    assert unknown.terms[1] == ("log-dev", 0.0) and unknown.tier == "high"
    assert parse_rules(dumps(rules), "again") == rules


@pytest.mark.parametrize(("bad", "message"), [
    (TERMS.replace('"lines_added"', '"bogus"'), "term.0.measure: unknown measure 'bogus'"),
    (TERMS.replace("weight = 0.5", 'weight = 0.5\ntransform = "sqrt"'), "term.0.transform: unknown"),
    (TERMS.replace('"log-dev"', '"log-la"'), "duplicate rule"),
])
def test_bad_terms_are_refused_naming_the_place(bad: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_rules(bad, "x.toml")
