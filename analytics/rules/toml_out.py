"""Write a rules file as readable TOML (stdlib ``tomllib`` only reads); evidence as fields."""

from __future__ import annotations

import json
from typing import Any

from analytics.rules.features import FEATURES
from analytics.rules.model import Category, Rule, Rules, Term, Tier

_WHEN_ORDER = ("categories_any", "ai_levels", "kinds", "author_kinds", "lines_changed_min",
               "lines_changed_max", "lines_added_min", "lines_deleted_min", "files_min", "criticality_max",
               "signals_any", "dependents_min", *(f"{name}_min" for name in FEATURES))
_REQUIRE_ORDER = ("approvals", "codeowner_approval", "labels", "ci_jobs")


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _lines(pairs: list[tuple[str, Any]]) -> list[str]:
    return [f"{key} = {_value(value)}" for key, value in pairs if value is not None]


def _category(c: Category) -> list[str]:
    return ["[[category]]", *_lines([("name", c.name), ("globs", c.globs), ("evidence", c.evidence)])]


def _rule(r: Rule) -> list[str]:
    when = [(f"when.{k}", getattr(r.when, k)) for k in _WHEN_ORDER]
    when = [(k, v) for k, v in when if v not in (None, [])]
    return ["[[rule]]", *_lines([("id", r.id), ("description", r.description or None),
                                 ("weight", r.weight), *when, ("evidence", r.evidence)])]


def _term(t: Term) -> list[str]:
    return ["[[term]]", *_lines([("id", t.id), ("description", t.description or None), ("measure", t.measure),
                                 ("transform", t.transform), ("weight", t.weight), ("evidence", t.evidence)])]


def _tier(t: Tier) -> list[str]:
    require = [(f"require.{k}", getattr(t.require, k)) for k in _REQUIRE_ORDER]
    require = [(k, v) for k, v in require if v not in (None, [], False)]
    return ["[[tier]]", *_lines([("name", t.name), ("min_score", t.min_score),
                                 ("verification", t.verification), ("decision", t.decision),
                                 *require, ("evidence", t.evidence)])]


def dumps(rules: Rules, header: str = "") -> str:
    """TOML text that ``load_rules`` reads back to the same ``Rules``."""
    out = [f"# {line}".rstrip() for line in header.splitlines()]
    out += _lines([("version", rules.version), ("description", rules.description or None)])
    for block in ([_category(c) for c in rules.category] + [_rule(r) for r in rules.rule]
                  + [_term(t) for t in rules.term] + [_tier(t) for t in rules.tier]):
        out += ["", *block]
    if rules.tuning:
        out += ["", "[tuning]", *_lines(list(rules.tuning.items()))]
    return "\n".join(out) + "\n"
