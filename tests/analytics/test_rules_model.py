"""The rules file: the shipped default loads, bad files are clear errors, written TOML reads back."""

from __future__ import annotations

from pathlib import Path

import pytest

from aftershock.errors import ConfigError
from analytics.rules.evaluate import Facts, evaluate
from analytics.rules.model import load_rules, parse_rules
from analytics.rules.toml_out import dumps

MINIMAL = """
version = "t"
[[category]]
name = "iam"
globs = ["iam/*"]
[[rule]]
id = "iam"
weight = 2.5
when.categories_any = ["iam"]
[[rule]]
id = "big"
weight = 1
when.lines_changed_min = 500
[[tier]]
name = "low"
min_score = 0
[[tier]]
name = "high"
min_score = 3
verification = ["two reviews"]
"""


def _facts(paths: tuple[str, ...], added: int) -> Facts:
    return Facts(paths, added, 0, "none", "pull_request", "human", 2)


def test_default_rules_load_and_classify() -> None:
    rules = load_rules(None)
    risky = evaluate(rules, _facts(("iam/policies/admin.json", "deploy/helm/values.yaml"), 1500))
    plain = evaluate(rules, _facts(("src/app/handlers/x.py",), 10))
    assert risky.tier == "high" and "iam-touch" in risky.rules_fired and risky.verification
    assert plain.tier == "low" and plain.rules_fired == ()


def test_tier_is_the_highest_threshold_reached() -> None:
    rules = parse_rules(MINIMAL, "t")
    assert evaluate(rules, _facts(("iam/a",), 499)).tier == "low"
    high = evaluate(rules, _facts(("iam/a",), 500))
    assert (high.score, high.tier, high.verification) == (3.5, "high", ("two reviews",))


@pytest.mark.parametrize(("edit", "message"), [
    (('globs = ["iam/*"]', 'globs = ["iam/[a-z]*"]'), "only '\\*' and '\\?'"),
    (('when.categories_any = ["iam"]', 'when.categories_any = ["nope"]'), "undefined"),
    (('id = "big"', 'id = "iam"'), "duplicate rule"),
    (('min_score = 3', 'min_score = 0'), "duplicate tier min_score"),
    (('weight = 1\n', 'weight = 1\nwhen.ai_levels = ["mostly"]\n'), "unknown"),
    (('version = "t"', 'version = "t"\nsurprise = 1'), "surprise"),
])
def test_bad_rules_files_name_the_problem(edit: tuple[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_rules(MINIMAL.replace(*edit), "bad.toml")


def test_unreadable_or_broken_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_rules(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("version = \n")
    with pytest.raises(ConfigError, match=r"broken.toml: not valid TOML"):
        load_rules(broken)


def test_written_toml_reads_back_identical(tmp_path: Path) -> None:
    rules = load_rules(None)
    tuned = rules.model_copy(update={
        "rule": [r.model_copy(update={"weight": -0.25, "evidence": 'said "so"\non two lines'})
                 for r in rules.rule],
        "tuning": {"trained_before": "2026-03-01", "intercept": -3.5, "dropped_rules": ["x", "y"]}})
    path = tmp_path / "out.toml"
    path.write_text(dumps(tuned, "a header\nof two lines"))
    assert load_rules(path) == tuned
