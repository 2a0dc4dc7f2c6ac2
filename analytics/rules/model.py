"""The rules file: path categories by glob, rules (conditions + weight), tiers and their verification.

A rules file is TOML (or JSON with the same keys); RULES.md documents the format. Weights and
tier thresholds carry at most three decimals and are held as integer thousandths ("milli") so
that the Python evaluator and the DuckDB evaluation add them up exactly alike.
"""

from __future__ import annotations

import json
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from aftershock.errors import ConfigError
from analytics.rules.features import FEATURES

AI_LEVELS = ("none", "suggested", "co_authored", "agent_authored", "unknown")
KINDS = ("commit", "pull_request", "merge", "revert")
AUTHOR_KINDS = ("human", "bot", "agent", "unknown")
# what the CI gate's diff detectors report (gate/detectors.py; RULES.md "Diff signals")
SIGNALS = ("iam_wildcard", "ci_permissions_widened", "irreversible_migration", "feature_flag_removed",
           "rollout_stage_removed")
DECISIONS = ("allow", "require_review", "block")
_GLOB_FORBIDDEN = "[]\\{}"


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Category(_Strict):
    """A path category: a file belongs to it when its path matches one of the globs."""

    name: str = Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")
    globs: list[str] = Field(min_length=1)
    evidence: str | None = None

    @field_validator("globs")
    @classmethod
    def _plain_globs(cls, globs: list[str]) -> list[str]:
        for glob in globs:
            if not glob or any(ch in glob for ch in _GLOB_FORBIDDEN):
                raise ValueError(f"glob {glob!r}: only '*' and '?' wildcards are allowed")
        return globs


class When(_Strict):
    """Conditions on change attributes; a rule fires when every condition that is set holds."""

    categories_any: list[str] = Field(default_factory=list)
    ai_levels: list[str] = Field(default_factory=list)
    kinds: list[str] = Field(default_factory=list)
    author_kinds: list[str] = Field(default_factory=list)
    lines_changed_min: int | None = Field(default=None, ge=0)
    lines_changed_max: int | None = Field(default=None, ge=0)
    lines_added_min: int | None = Field(default=None, ge=0)
    lines_deleted_min: int | None = Field(default=None, ge=0)
    files_min: int | None = Field(default=None, ge=0)
    criticality_max: int | None = Field(default=None, ge=1, le=4)
    signals_any: list[str] = Field(default_factory=list)
    dependents_min: int | None = Field(default=None, ge=0)
    # change features (analytics/rules/features.py): known and >= the value, in thousandths
    subsystems_min: float | None = Field(default=None, ge=0)
    directories_min: float | None = Field(default=None, ge=0)
    entropy_min: float | None = Field(default=None, ge=0)
    lines_before_min: float | None = Field(default=None, ge=0)
    developers_min: float | None = Field(default=None, ge=0)
    age_days_min: float | None = Field(default=None, ge=0)
    prior_changes_min: float | None = Field(default=None, ge=0)
    author_changes_min: float | None = Field(default=None, ge=0)
    author_recent_changes_min: float | None = Field(default=None, ge=0)
    author_subsystem_changes_min: float | None = Field(default=None, ge=0)
    fix_min: float | None = Field(default=None, ge=0)

    def feature_mins(self) -> dict[str, float]:
        """The feature conditions that are set: feature name -> minimum."""
        found = {name: getattr(self, f"{name}_min") for name in FEATURES}
        return {name: value for name, value in found.items() if value is not None}

    @model_validator(mode="after")
    def _known_values(self) -> When:
        for name, allowed in (("ai_levels", AI_LEVELS), ("kinds", KINDS), ("author_kinds", AUTHOR_KINDS),
                              ("signals_any", SIGNALS)):
            unknown = set(getattr(self, name)) - set(allowed)
            if unknown:
                raise ValueError(f"{name}: unknown {sorted(unknown)}; allowed {list(allowed)}")
        return self


class Rule(_Strict):
    id: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    description: str = ""
    weight: float
    when: When = Field(default_factory=When)
    evidence: str | None = None

    @property
    def weight_milli(self) -> int:
        return round(self.weight * 1000)


class Require(_Strict):
    """Machine-checkable verification of a tier: what CI can see on the pull/merge request."""

    approvals: int | None = Field(default=None, ge=0, le=20)
    codeowner_approval: bool = False
    labels: list[str] = Field(default_factory=list)
    ci_jobs: list[str] = Field(default_factory=list)


class Tier(_Strict):
    name: str = Field(min_length=1, max_length=32)
    min_score: float
    verification: list[str] = Field(default_factory=list)
    decision: str | None = None
    require: Require = Field(default_factory=Require)
    evidence: str | None = None

    @field_validator("decision")
    @classmethod
    def _known_decision(cls, decision: str | None) -> str | None:
        if decision is not None and decision not in DECISIONS:
            raise ValueError(f"unknown decision {decision!r}; allowed {list(DECISIONS)}")
        return decision

    @property
    def min_score_milli(self) -> int:
        return round(self.min_score * 1000)


class Rules(_Strict):
    version: str = Field(min_length=1)
    description: str = ""
    category: list[Category] = Field(default_factory=list)
    rule: list[Rule] = Field(default_factory=list)
    tier: list[Tier] = Field(min_length=1)
    tuning: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Rules:
        _unique("category", [c.name for c in self.category])
        _unique("rule", [r.id for r in self.rule])
        _unique("tier", [t.name for t in self.tier])
        _unique("tier min_score", [str(t.min_score_milli / 1000) for t in self.tier])
        known = {c.name for c in self.category}
        for rule in self.rule:
            unknown = set(rule.when.categories_any) - known
            if unknown:
                raise ValueError(f"rule {rule.id!r}: categories_any names undefined {sorted(unknown)}")
        return self

    def tiers_ascending(self) -> list[Tier]:
        return sorted(self.tier, key=lambda t: t.min_score_milli)


def _unique(what: str, names: list[str]) -> None:
    seen = {n for n in names if names.count(n) > 1}
    if seen:
        raise ValueError(f"duplicate {what} {sorted(seen)}")


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
    try:
        data = tomllib.loads(text) if toml else json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"rules file {where}: not valid {'TOML' if toml else 'JSON'}: {exc}") from exc
    try:
        return Rules.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        raise ConfigError(f"rules file {where}: {loc}: {err['msg']} (format: analytics/RULES.md)") from exc
