"""The rules file: path categories by glob, rules (conditions + weight), tiers and their verification.

A rules file is TOML (or JSON with the same keys); RULES.md documents the format. Weights and
tier thresholds carry at most three decimals and are held as integer thousandths ("milli") so
that the Python evaluator and the DuckDB evaluation add them up exactly alike.

The classes are plain frozen dataclasses, built and checked by ``analytics/rules/check.py`` (no
pydantic: the CI gate loads them on every run and must start fast). Objects built in code are
not checked; :func:`parse_rules` is the one way a file becomes ``Rules``.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from aftershock.errors import ConfigError
from analytics.rules.features import FEATURES

AI_LEVELS = ("none", "suggested", "co_authored", "agent_authored", "unknown")
KINDS = ("commit", "pull_request", "merge", "revert")
AUTHOR_KINDS = ("human", "bot", "agent", "unknown")
# what the CI gate's diff detectors report (gate/detectors.py; RULES.md "Diff signals")
SIGNALS = ("iam_wildcard", "ci_permissions_widened", "irreversible_migration", "feature_flag_removed",
           "rollout_stage_removed")
DECISIONS = ("allow", "require_review", "block")


@dataclass(frozen=True)
class Category:
    """A path category: a file belongs to it when its path matches one of the globs."""

    name: str
    globs: list[str]
    evidence: str | None = None


@dataclass(frozen=True)
class When:
    """Conditions on change attributes; a rule fires when every condition that is set holds."""

    categories_any: list[str] = field(default_factory=list)
    ai_levels: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    author_kinds: list[str] = field(default_factory=list)
    lines_changed_min: int | None = None
    lines_changed_max: int | None = None
    lines_added_min: int | None = None
    lines_deleted_min: int | None = None
    files_min: int | None = None
    criticality_max: int | None = None
    signals_any: list[str] = field(default_factory=list)
    dependents_min: int | None = None
    # change features (analytics/rules/features.py): known and >= the value, in thousandths
    subsystems_min: float | None = None
    directories_min: float | None = None
    entropy_min: float | None = None
    lines_before_min: float | None = None
    developers_min: float | None = None
    age_days_min: float | None = None
    prior_changes_min: float | None = None
    author_changes_min: float | None = None
    author_recent_changes_min: float | None = None
    author_subsystem_changes_min: float | None = None
    fix_min: float | None = None

    def feature_mins(self) -> dict[str, float]:
        """The feature conditions that are set: feature name -> minimum."""
        found = {name: getattr(self, f"{name}_min") for name in FEATURES}
        return {name: value for name, value in found.items() if value is not None}

    def conditions(self) -> dict[str, Any]:
        """The conditions that are set (name -> value), in field order."""
        return {k: v for k, v in vars(self).items() if v not in (None, [])}


@dataclass(frozen=True)
class Rule:
    id: str
    weight: float
    description: str = ""
    when: When = field(default_factory=When)
    evidence: str | None = None

    @property
    def weight_milli(self) -> int:
        return round(self.weight * 1000)


TERM_MEASURES = ("lines_added", "lines_deleted", "lines_changed", "files", *FEATURES)
TRANSFORMS = ("log1p",)


@dataclass(frozen=True)
class Term:
    """A scaled term: adds ``weight * ln(1 + measure)`` to the score (``evaluate.term_milli``)."""

    id: str
    measure: str
    weight: float
    transform: str = "log1p"
    description: str = ""
    evidence: str | None = None

    @property
    def weight_milli(self) -> int:
        return round(self.weight * 1000)


@dataclass(frozen=True)
class Require:
    """Machine-checkable verification of a tier: what CI can see on the pull/merge request."""

    approvals: int | None = None
    codeowner_approval: bool = False
    labels: list[str] = field(default_factory=list)
    ci_jobs: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Tier:
    name: str
    min_score: float
    verification: list[str] = field(default_factory=list)
    decision: str | None = None
    require: Require = field(default_factory=Require)
    evidence: str | None = None

    @property
    def min_score_milli(self) -> int:
        return round(self.min_score * 1000)


@dataclass(frozen=True)
class Rules:
    version: str
    tier: list[Tier]
    description: str = ""
    category: list[Category] = field(default_factory=list)
    rule: list[Rule] = field(default_factory=list)
    term: list[Term] = field(default_factory=list)
    tuning: dict[str, Any] | None = None

    def tiers_ascending(self) -> list[Tier]:
        return sorted(self.tier, key=lambda t: t.min_score_milli)


def load_rules(path: Path | None) -> Rules:
    """The rules file at ``path`` (TOML, or JSON by suffix), or the shipped default."""
    if path is None:
        text = resources.files("analytics.rules").joinpath("default.toml").read_text(encoding="utf-8")
        return parse_rules(text, "analytics/rules/default.toml", toml=True)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"rules file {path}: cannot read ({exc.strerror})") from exc
    return parse_rules(text, str(path), toml=path.suffix != ".json")


def parse_rules(text: str, where: str, toml: bool = True) -> Rules:
    from analytics.rules.check import RulesError, rules_of

    try:
        data = tomllib.loads(text) if toml else json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"rules file {where}: not valid {'TOML' if toml else 'JSON'}: {exc}") from exc
    try:
        return rules_of(data)
    except RulesError as exc:
        raise ConfigError(f"rules file {where}: {exc.loc}: {exc.msg} (format: analytics/RULES.md)") from exc
