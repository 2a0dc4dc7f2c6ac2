"""Check a parsed rules file (TOML/JSON data) and build ``Rules`` from it.

Every error names where it is (``rule.2.when.kinds``, as a dotted path of keys and list
positions) and what is wrong. Unknown keys are errors; numbers must be numbers (integers where a
count is meant; booleans are not numbers); strings must be strings.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from analytics.rules.features import FEATURES
from analytics.rules.model import (
    AI_LEVELS,
    AUTHOR_KINDS,
    DECISIONS,
    KINDS,
    SIGNALS,
    TERM_MEASURES,
    TRANSFORMS,
    Category,
    Require,
    Rule,
    Rules,
    Term,
    Tier,
    When,
)

T = TypeVar("T")
_CATEGORY_NAME = re.compile(r"[a-z][a-z0-9_]*")
_RULE_ID = re.compile(r"[a-z0-9][a-z0-9_.-]*")
_GLOB_FORBIDDEN = "[]\\{}"


class RulesError(ValueError):
    def __init__(self, loc: str, msg: str) -> None:
        super().__init__(f"{loc}: {msg}")
        self.loc, self.msg = loc, msg


def _table(data: Any, loc: str, keys: tuple[str, ...], required: tuple[str, ...] = ()) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise RulesError(loc, f"expected a table, got {type(data).__name__}")
    for key in data:
        if key not in keys:
            raise RulesError(_at(loc, key), f"unknown key; allowed {list(keys)}")
    for key in required:
        if key not in data:
            raise RulesError(_at(loc, key), "required")
    return data


def _at(loc: str, key: str | int) -> str:
    return f"{loc}.{key}" if loc else str(key)


def _str(value: Any, loc: str, pattern: re.Pattern[str] | None = None, max_len: int | None = None) -> str:
    if not isinstance(value, str):
        raise RulesError(loc, f"expected a string, got {type(value).__name__}")
    if max_len is not None and not 1 <= len(value) <= max_len:
        raise RulesError(loc, f"must be 1 to {max_len} characters")
    if pattern is not None and not pattern.fullmatch(value):
        raise RulesError(loc, f"{value!r} does not match {pattern.pattern}")
    return value


def _opt_str(value: Any, loc: str) -> str | None:
    return None if value is None else _str(value, loc)


def _number(value: Any, loc: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RulesError(loc, f"expected a number, got {type(value).__name__}")
    return float(value)


def _count(value: Any, loc: str, low: int, high: int | None = None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise RulesError(loc, f"expected an integer, got {type(value).__name__}")
    if value < low or (high is not None and value > high):
        raise RulesError(loc, f"must be {low} or more" + (f" and at most {high}" if high is not None else ""))
    return value


def _strs(value: Any, loc: str, allowed: tuple[str, ...] | None = None, min_len: int = 0) -> list[str]:
    if not isinstance(value, list):
        raise RulesError(loc, f"expected a list of strings, got {type(value).__name__}")
    out = [_str(v, _at(loc, i)) for i, v in enumerate(value)]
    if len(out) < min_len:
        raise RulesError(loc, f"needs at least {min_len} item(s)")
    unknown = sorted(set(out) - set(allowed)) if allowed is not None else []
    if unknown:
        raise RulesError(loc, f"unknown {unknown}; allowed {list(allowed or ())}")
    return out


def _list(data: dict[str, Any], key: str, build: Callable[[Any, str], T]) -> list[T]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise RulesError(key, f"expected an array of tables, got {type(value).__name__}")
    return [build(item, f"{key}.{i}") for i, item in enumerate(value)]


def category_of(data: Any, loc: str) -> Category:
    d = _table(data, loc, ("name", "globs", "evidence"), ("name", "globs"))
    globs = _strs(d["globs"], _at(loc, "globs"), min_len=1)
    for i, glob in enumerate(globs):
        if not glob or any(ch in glob for ch in _GLOB_FORBIDDEN):
            raise RulesError(_at(loc, f"globs.{i}"), f"glob {glob!r}: only '*' and '?' wildcards are allowed")
    return Category(_str(d["name"], _at(loc, "name"), _CATEGORY_NAME, 64), globs,
                    _opt_str(d.get("evidence"), _at(loc, "evidence")))


_WHEN_LISTS = {"categories_any": None, "ai_levels": AI_LEVELS, "kinds": KINDS, "author_kinds": AUTHOR_KINDS,
               "signals_any": SIGNALS}
_WHEN_COUNTS = {"lines_changed_min": (0, None), "lines_changed_max": (0, None), "lines_added_min": (0, None),
                "lines_deleted_min": (0, None), "files_min": (0, None), "criticality_max": (1, 4),
                "dependents_min": (0, None)}
_WHEN_FEATURES = tuple(f"{name}_min" for name in FEATURES)  # non-negative numbers


def when_of(data: Any, loc: str) -> When:
    d = _table(data, loc, (*_WHEN_LISTS, *_WHEN_COUNTS, *_WHEN_FEATURES))
    values: dict[str, Any] = {k: _strs(d.get(k, []), _at(loc, k), allowed)
                              for k, allowed in _WHEN_LISTS.items()}
    values |= {k: _count(d.get(k), _at(loc, k), *bounds) for k, bounds in _WHEN_COUNTS.items()}
    values |= {k: _minimum(d.get(k), _at(loc, k)) for k in _WHEN_FEATURES}
    return When(**values)


def _minimum(value: Any, loc: str) -> float | None:
    """A feature condition: unset, or a number >= 0."""
    if value is None:
        return None
    number = _number(value, loc)
    if number < 0:
        raise RulesError(loc, f"must be >= 0, got {number}")
    return number


def rule_of(data: Any, loc: str) -> Rule:
    d = _table(data, loc, ("id", "description", "weight", "when", "evidence"), ("id", "weight"))
    return Rule(id=_str(d["id"], _at(loc, "id"), _RULE_ID, 64),
                weight=_number(d["weight"], _at(loc, "weight")),
                description=_str(d.get("description", ""), _at(loc, "description")),
                when=when_of(d.get("when", {}), _at(loc, "when")),
                evidence=_opt_str(d.get("evidence"), _at(loc, "evidence")))


def term_of(data: Any, loc: str) -> Term:
    d = _table(data, loc, ("id", "description", "measure", "transform", "weight", "evidence"),
               ("id", "measure", "weight"))
    measure = _str(d["measure"], _at(loc, "measure"))
    if measure not in TERM_MEASURES:
        raise RulesError(_at(loc, "measure"), f"unknown measure {measure!r}; allowed {list(TERM_MEASURES)}")
    transform = _str(d.get("transform", "log1p"), _at(loc, "transform"))
    if transform not in TRANSFORMS:
        raise RulesError(_at(loc, "transform"),
                         f"unknown transform {transform!r}; allowed {list(TRANSFORMS)}")
    return Term(id=_str(d["id"], _at(loc, "id"), _RULE_ID, 64), measure=measure,
                weight=_number(d["weight"], _at(loc, "weight")), transform=transform,
                description=_str(d.get("description", ""), _at(loc, "description")),
                evidence=_opt_str(d.get("evidence"), _at(loc, "evidence")))


def require_of(data: Any, loc: str) -> Require:
    d = _table(data, loc, ("approvals", "codeowner_approval", "labels", "ci_jobs"))
    owner = d.get("codeowner_approval", False)
    if not isinstance(owner, bool):
        raise RulesError(_at(loc, "codeowner_approval"),
                         f"expected true or false, got {type(owner).__name__}")
    return Require(_count(d.get("approvals"), _at(loc, "approvals"), 0, 20), owner,
                   _strs(d.get("labels", []), _at(loc, "labels")),
                   _strs(d.get("ci_jobs", []), _at(loc, "ci_jobs")))


def tier_of(data: Any, loc: str) -> Tier:
    d = _table(data, loc, ("name", "min_score", "verification", "decision", "require", "evidence"),
               ("name", "min_score"))
    decision = _opt_str(d.get("decision"), _at(loc, "decision"))
    if decision is not None and decision not in DECISIONS:
        raise RulesError(_at(loc, "decision"), f"unknown decision {decision!r}; allowed {list(DECISIONS)}")
    return Tier(_str(d["name"], _at(loc, "name"), max_len=32), _number(d["min_score"], _at(loc, "min_score")),
                _strs(d.get("verification", []), _at(loc, "verification")), decision,
                require_of(d.get("require", {}), _at(loc, "require")),
                _opt_str(d.get("evidence"), _at(loc, "evidence")))


def rules_of(data: Any) -> Rules:
    """``Rules`` from a parsed rules file, or :class:`RulesError` naming the first problem."""
    d = _table(data, "", ("version", "description", "category", "rule", "term", "tier", "tuning"),
               ("version", "tier"))
    tuning = d.get("tuning")
    if tuning is not None and not isinstance(tuning, dict):
        raise RulesError("tuning", f"expected a table, got {type(tuning).__name__}")
    rules = Rules(version=_str(d["version"], "version", max_len=10_000),
                  tier=_list(d, "tier", tier_of), description=_str(d.get("description", ""), "description"),
                  category=_list(d, "category", category_of), rule=_list(d, "rule", rule_of),
                  term=_list(d, "term", term_of), tuning=tuning)
    _consistent(rules)
    return rules


def _consistent(rules: Rules) -> None:
    if not rules.tier:
        raise RulesError("tier", "needs at least 1 tier")
    _unique("category", [c.name for c in rules.category])
    _unique("rule", [r.id for r in rules.rule] + [t.id for t in rules.term])
    _unique("tier", [t.name for t in rules.tier])
    _unique("tier min_score", [str(t.min_score_milli / 1000) for t in rules.tier])
    known = {c.name for c in rules.category}
    for i, rule in enumerate(rules.rule):
        unknown = set(rule.when.categories_any) - known
        if unknown:
            raise RulesError(f"rule.{i}.when.categories_any",
                             f"rule {rule.id!r}: categories_any names undefined {sorted(unknown)}")


def _unique(what: str, names: list[str]) -> None:
    seen = {n for n in names if names.count(n) > 1}
    if seen:
        raise RulesError(what.split()[0], f"duplicate {what} {sorted(seen)}")
