"""The policy file: the shipped default loads, errors name the key, contested cases are rows."""

from __future__ import annotations

import fnmatch
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guard.decide import glob_match
from guard.judge import judge
from guard.policy import DEFAULT_PATH, PolicyError, build, load, load_or_fail_safe
from tests.guard.conftest import HOME, WORKSPACE

TIERS = 'read = "pass"\npropose = "pass"\nmutate = "pass"\nmutate_config = "ask"\ndestructive = "grant"\n'


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(text)
    return path


def test_shipped_default_is_valid() -> None:
    policy = load(DEFAULT_PATH)
    assert policy.tiers["destructive"] == "grant"
    assert ".claude/**" in policy.protected
    assert any(r.name.startswith("force-with-lease to a feature") for r in policy.rules)


@pytest.mark.parametrize(("text", "message"), [
    ("[tiers]\n" + TIERS.replace('"grant"', '"alow"'), "tiers.destructive: 'alow' is not one of"),
    ("[tiers]\nread = \"pass\"\n", "tiers: missing propose, mutate, mutate_config, destructive"),
    ("[tiers]\n" + TIERS + "[[rule]]\nname = \"x\"\n", "rule[0].action: required"),
    ("[tiers]\n" + TIERS + "[[rule]]\nname = \"x\"\naction = \"deny\"\ntiers = [\"worst\"]\n",
     "rule[0].tiers[0]: 'worst' is not one of"),
    ("[tiers]\n" + TIERS + "[[rule]]\nname = \"x\"\naction = \"deny\"\nlabel = \"typo\"\n",
     "rule[0].label: unknown key"),
    ("[tiers]\n" + TIERS + "[grants]\nmax_ttl = \"forever\"\n",
     "grants.max_ttl: 'forever' is not a duration"),
    ("[tiers]\n" + TIERS + "[grants]\napprovers = [{ name = \"a\", key = \"rsa:xyz\" }]\n",
     "grants.approvers[0].key: not an Ed25519 public key"),
    ("[tiers]\n" + TIERS + "[fallback]\nunknown = \"harmless\"\n", "fallback.unknown: 'harmless'"),
    ("[tier]\n", "tier: unknown key"),
    ("version = 2\n[tiers]\n" + TIERS, "version: 2 is not supported"),
    ("[tiers\n", "not valid TOML"),
])
def test_errors_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(PolicyError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load(write(tmp_path, text))


def test_missing_file_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read .*nope.toml"):
        load(tmp_path / "nope.toml")


def test_broken_policy_fails_safe(tmp_path: Path) -> None:
    policy = load_or_fail_safe(write(tmp_path, "[tiers\n"))
    assert policy.broken and "not valid TOML" in policy.broken
    decide = lambda c: judge(policy, "Bash", {"command": c}, WORKSPACE, home=HOME)[0].action  # noqa: E731
    assert decide("git push --force") == "deny"
    assert decide("kubectl apply -f x.yaml") == "deny"
    assert decide("cat README.md") == "pass"


def test_contested_cases_follow_policy_rows(tmp_path: Path) -> None:
    text = "[tiers]\n" + TIERS + (
        '[[rule]]\nname = "no deletes at all"\nlabels = ["rm-recursive-*"]\naction = "deny"\n'
        '[[rule]]\nname = "leases are fine"\nlabels = ["git-force-with-lease"]\naction = "allow"\n'
        '[[rule]]\nname = "bots may not touch terraform"\nagents = ["bot-*"]\nlabels = ["terraform-*"]\n'
        'action = "deny"\n'
        '[[rule]]\nname = "mcp deploys"\ntools = ["mcp__deployer__*"]\naction = "ask"\n')
    policy = build_file(tmp_path, text)
    decide = lambda c, agent="claude-code": judge(  # noqa: E731
        policy, "Bash", {"command": c}, WORKSPACE, home=HOME, agent=agent)[0].action
    assert decide("rm -rf node_modules") == "deny"
    assert decide("git push --force-with-lease origin main") == "allow"
    assert decide("terraform apply") == "ask"
    assert decide("terraform apply", agent="bot-7") == "deny"
    assert judge(policy, "mcp__deployer__status", {}, WORKSPACE, home=HOME)[0].action == "ask"


def test_environment_rows(tmp_path: Path) -> None:
    text = "[tiers]\n" + TIERS + (
        '[environments]\nstaging = ["staging", "stg-*"]\n'
        '[[rule]]\nname = "staging is free"\nenvironments = ["staging"]\ntiers = ["mutate_config"]\n'
        'action = "allow"\n')
    policy = build_file(tmp_path, text)
    assert judge(policy, "Bash", {"command": "kubectl --context stg-eu apply -f x"}, WORKSPACE,
                 home=HOME)[0].action == "allow"
    assert judge(policy, "Bash", {"command": "kubectl apply -f x"}, WORKSPACE, home=HOME)[0].action == "ask"
    assert judge(policy, "Bash", {"command": "kubectl apply -f x"}, WORKSPACE, home=HOME,
                 environment="staging")[0].action == "allow"


def build_file(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    return load(write(tmp_path, text))


def test_build_accepts_a_minimal_policy() -> None:
    policy = build({"tiers": {t: "pass" for t in ("read", "propose", "mutate", "mutate_config",
                                                   "destructive")}}, "inline")
    assert policy.rules == () and policy.max_ttl_s == 3600


GLOB_TEXT = st.text(alphabet="ab-/.*", max_size=12)


@settings(max_examples=3000, deadline=None)
@given(GLOB_TEXT, st.text(alphabet="ab-/.*?[]!", max_size=8))
def test_glob_match_is_fnmatchcase(text: str, glob: str) -> None:
    assert glob_match(text, glob) == fnmatch.fnmatchcase(text, glob), (text, glob)


@pytest.mark.parametrize(("text", "glob", "expected"), [
    ("prod-eu", "prod-*", True), ("eu-prod", "*-prod", True), ("eu-prod-1", "*-prod-*", True),
    ("prod", "*-prod-*", False), ("aXbXc", "a*b*c", True), ("ac", "a*b*c", False), ("abc", "abc", True),
    ("ab", "a*b*b", False), ("release/1.2", "release/*", True), ("x", "*", True), ("", "*", True),
])
def test_glob_match_examples(text: str, glob: str, expected: bool) -> None:
    assert glob_match(text, glob) is expected
