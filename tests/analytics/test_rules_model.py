"""The rules file: the shipped default loads, bad files are clear errors, written TOML reads back."""

from __future__ import annotations

from dataclasses import replace
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
    (('weight = 2.5', 'weight = "2.5"'), r"rule\.0\.weight: expected a number, got str"),
    (('weight = 1\n', 'weight = true\n'), r"rule\.1\.weight: expected a number, got bool"),
    (('when.lines_changed_min = 500', 'when.lines_changed_min = -1'),
     r"rule\.1\.when\.lines_changed_min: must be 0"),
    (('when.lines_changed_min = 500', 'when.lines_changed_min = 5.5'), "expected an integer, got float"),
    (('when.lines_changed_min = 500', 'when.criticality_max = 5'),
     "criticality_max: must be 1 or more and at most 4"),
    (('when.lines_changed_min = 500', 'when.signals_any = ["iam_wildcard", "x"]'),
     r"unknown \['x'\]"),
    (('name = "iam"', 'name = "IAM"'), r"category\.0\.name: 'IAM' does not match"),
    (('verification = ["two reviews"]', 'decision = "maybe"'),
     r"tier\.1\.decision: unknown decision 'maybe'"),
    (('verification = ["two reviews"]', 'require.approvals = 21'),
     r"tier\.1\.require\.approvals: must be 0"),
    (('verification = ["two reviews"]', 'require.codeowner_approval = 1'), "expected true or false"),
    (('globs = ["iam/*"]', 'globs = []'), r"category\.0\.globs: needs at least 1"),
    (('id = "big"\n', ''), r"rule\.1\.id: required"),
])
def test_bad_rules_files_name_the_problem(edit: tuple[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_rules(MINIMAL.replace(*edit), "bad.toml")


def test_a_file_without_tiers_or_version_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"bad.toml: version: required"):
        parse_rules('[[tier]]\nname = "low"\nmin_score = 0\n', "bad.toml")
    with pytest.raises(ConfigError, match=r"tier: needs at least 1 tier"):
        parse_rules('version = "v"\ntier = []\n', "bad.toml")
    with pytest.raises(ConfigError, match=r"rule: expected an array of tables, got dict"):
        parse_rules('version = "v"\n[rule]\nid = "x"\n[[tier]]\nname = "low"\nmin_score = 0\n', "bad.toml")


def test_unreadable_or_broken_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_rules(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("version = \n")
    with pytest.raises(ConfigError, match=r"broken.toml: not valid TOML"):
        load_rules(broken)


def test_written_toml_reads_back_identical(tmp_path: Path) -> None:
    rules = load_rules(None)
    tuned = replace(rules, rule=[replace(r, weight=-0.25, evidence='said "so"\non two lines')
                                 for r in rules.rule],
                    tuning={"trained_before": "2026-03-01", "intercept": -3.5, "dropped_rules": ["x", "y"]})
    path = tmp_path / "out.toml"
    path.write_text(dumps(tuned, "a header\nof two lines"))
    assert load_rules(path) == tuned
