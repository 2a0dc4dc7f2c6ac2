"""Findings + policy -> one verdict for the tool call.

Each finding is decided by the first rule that matches it (every field a rule gives must match),
else by its tier's action; the call gets the strictest action (deny > grant > ask > pass > allow),
its tier is the highest of its findings.
"""

from __future__ import annotations

import fnmatch
import posixpath
from typing import NamedTuple

from guard.findings import RANK, Finding, Scene, highest
from guard.paths import matches
from guard.policy import STRICTNESS, Policy, Rule


class Call(NamedTuple):
    """Who calls what, where."""

    tool: str
    agent: str
    environments: frozenset[str]


class Verdict(NamedTuple):
    action: str
    tier: str
    finding: Finding
    rule: str  # the rule's name, or tiers.<tier>
    reason: str


def environments_of(policy: Policy, declared: str | None, cwd: str, words: list[str]) -> frozenset[str]:
    """The environments a call touches: the declared one, and those whose globs match a component
    of the folder or a word of the command."""
    found = {declared} if declared else set()
    candidates = [c for c in cwd.split("/") if c]
    for word in words:
        candidates += [part for part in word.replace("=", " ").split() if part]
    for name, globs in policy.environments.items():
        if any(glob_match(c.lower(), g) for c in candidates for g in globs):
            found.add(name)
    return frozenset(found)


def decide(findings: list[Finding], policy: Policy, call: Call, scene: Scene) -> Verdict:
    verdicts = [_one(f, policy, call, scene) for f in findings]
    worst = max(verdicts, key=lambda v: (STRICTNESS[v.action], RANK[v.tier]))
    tier = highest(findings)
    return Verdict(worst.action, tier, worst.finding, worst.rule, worst.reason)


def _one(finding: Finding, policy: Policy, call: Call, scene: Scene) -> Verdict:
    for rule in policy.rules:
        if _matches(rule, finding, call, scene):
            reason = rule.reason or rule.name
            return Verdict(rule.action, finding.tier, finding, rule.name, reason)
    action = policy.tiers[finding.tier]
    return Verdict(action, finding.tier, finding, f"tiers.{finding.tier}", f"{finding.tier} action")


def _matches(rule: Rule, finding: Finding, call: Call, scene: Scene) -> bool:
    if rule.tools and not any(glob_match(call.tool, g) for g in rule.tools):
        return False
    if rule.tiers and finding.tier not in rule.tiers:
        return False
    if rule.labels and not any(glob_match(finding.label, g) for g in rule.labels):
        return False
    if rule.agents and not any(glob_match(call.agent, g) for g in rule.agents):
        return False
    if rule.environments and not call.environments & set(rule.environments):
        return False
    if rule.targets:
        return bool(finding.targets) and all(_target(t, rule.targets, scene) for t in finding.targets)
    return True


def _target(target: str, globs: tuple[str, ...], scene: Scene) -> bool:
    if target.startswith("/"):
        return any(matches(g, posixpath.normpath(target), scene.workspace, scene.home) for g in globs)
    return any(glob_match(target, g) for g in globs)


def glob_match(text: str, glob: str) -> bool:
    """``fnmatch.fnmatchcase(text, glob)``; globs with no wildcard but ``*`` (labels, branches,
    environment names: nearly all of them) are matched without compiling a regular expression."""
    if "?" in glob or "[" in glob:
        return fnmatch.fnmatchcase(text, glob)
    if "*" not in glob:
        return text == glob
    first, *middle, last = glob.split("*")
    if len(text) < len(first) + len(last) or not text.startswith(first) or not text.endswith(last):
        return False
    at, end = len(first), len(text) - len(last)
    for part in middle:
        at = text.find(part, at, end)
        if at < 0:
            return False
        at += len(part)
    return True
