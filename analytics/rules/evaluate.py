"""Evaluate the rules for one change: the semantics the CI gate uses.

``analytics/rules/sql/rules_score.sql`` is the same evaluation over all of history; a test proves
the two agree on every rule. The facts of a change:

- paths: the paths of its files; categories: every category with a glob matching some path
  (``fnmatchcase``: ``*`` matches any run of characters including ``/``, ``?`` one character);
- lines_added / lines_deleted: the change's totals, or else the sum over its files (missing = 0);
  lines_changed = added + deleted; files = the number of files listed, or the
  ``change.files_changed`` attribute (1 to 9 ASCII digits: a pull request's stated count, a push
  whose list was cut) when that is larger;
- ai_level, kind, author_kind as recorded; criticality: the ``service.criticality`` attribute
  when it is one of "1".."4", else unknown (a ``criticality_max`` condition then does not hold);
- signals: the ``change.signals`` attribute split on "," (empty parts dropped), else unknown;
- dependents: the ``service.dependents`` attribute when it is 1 to 9 ASCII digits, else unknown;
- change features (``features.py``): the ``change.<name>`` attributes, in thousandths, else unknown.

A scaled term (``[[term]]``) adds ``weight * ln(1 + x)`` for its measure ``x`` (lines added,
deleted or changed, files, or a change feature; an unknown feature counts as 0), in integer
thousandths: ``v = floor(ln(1 + x) * 1000 + 0.5)``, contribution ``floor(weight_milli * v / 1000
+ 0.5)``, all in IEEE doubles exactly as ``rules_score.sql`` computes it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import translate
from typing import Any

from analytics.rules.features import features_of, milli
from analytics.rules.model import Rule, Rules, Term, Tier

CRITICALITY_ATTRIBUTE = "service.criticality"
SIGNALS_ATTRIBUTE = "change.signals"
DEPENDENTS_ATTRIBUTE = "service.dependents"
FILES_CHANGED_ATTRIBUTE = "change.files_changed"
_DEPENDENTS = re.compile(r"[0-9]{1,9}")


@dataclass(frozen=True)
class Facts:
    paths: tuple[str, ...]
    lines_added: int
    lines_deleted: int
    ai_level: str | None
    kind: str | None
    author_kind: str | None
    criticality: int | None
    signals: tuple[str, ...] | None = None
    dependents: int | None = None
    features: Mapping[str, int] = field(default_factory=dict)  # thousandths
    stated_files: int | None = None  # files_changed attribute, used when larger than the list

    @property
    def files(self) -> int:
        return max(len(self.paths), self.stated_files or 0)

    @property
    def lines_changed(self) -> int:
        return self.lines_added + self.lines_deleted


@dataclass(frozen=True)
class Assessment:
    score: float
    tier: str
    verification: tuple[str, ...]
    rules_fired: tuple[str, ...]
    categories: tuple[str, ...]
    terms: tuple[tuple[str, float], ...] = ()  # (term id, what it added to the score)


def facts_of(payload: Mapping[str, Any], attributes: Mapping[str, str]) -> Facts:
    """Facts of a change from its payload and envelope attributes (as JSON-like dicts)."""
    files = payload.get("files") or []
    added = payload.get("lines_added")
    deleted = payload.get("lines_deleted")
    crit = attributes.get(CRITICALITY_ATTRIBUTE)
    signals = attributes.get(SIGNALS_ATTRIBUTE)
    dependents = attributes.get(DEPENDENTS_ATTRIBUTE)
    return Facts(
        paths=tuple(f["path"] for f in files),
        lines_added=added if added is not None else sum(f.get("lines_added") or 0 for f in files),
        lines_deleted=deleted if deleted is not None else sum(f.get("lines_deleted") or 0 for f in files),
        ai_level=(payload.get("ai") or {}).get("level"),
        kind=payload.get("kind"),
        author_kind=payload.get("author_kind"),
        criticality=int(crit) if crit in ("1", "2", "3", "4") else None,
        signals=tuple(s for s in signals.split(",") if s) if signals is not None else None,
        dependents=int(dependents) if dependents is not None and _DEPENDENTS.fullmatch(dependents) else None,
        features=features_of(attributes),
        stated_files=_digits(attributes.get(FILES_CHANGED_ATTRIBUTE)),
    )


def _digits(value: str | None) -> int | None:
    return int(value) if value is not None and _DEPENDENTS.fullmatch(value) else None


def signal_attributes(signals: tuple[str, ...] | None, dependents: int | None) -> dict[str, str]:
    """The envelope attributes that carry a change's diff signals and dependents into history."""
    out = {SIGNALS_ATTRIBUTE: ",".join(signals)} if signals is not None else {}
    return out | ({DEPENDENTS_ATTRIBUTE: str(dependents)} if dependents is not None else {})


_GLOBS: dict[tuple[str, ...], re.Pattern[str]] = {}


def glob_matcher(globs: list[str]) -> re.Pattern[str]:
    """One regex that matches a path exactly when ``fnmatchcase`` matches one of ``globs``."""
    key = tuple(globs)
    rx = _GLOBS.get(key)
    if rx is None:
        rx = _GLOBS[key] = re.compile("|".join(f"(?:{translate(g)})" for g in key))
    return rx


def categories(rules: Rules, paths: tuple[str, ...]) -> tuple[str, ...]:
    """Names of the categories some path falls in, in file order of the rules."""
    out = []
    for c in rules.category:
        match = glob_matcher(c.globs).match
        if any(match(p) for p in paths):
            out.append(c.name)
    return tuple(out)


def fires(rule: Rule, facts: Facts, cats: tuple[str, ...]) -> bool:
    w = rule.when
    checks = (
        not w.categories_any or any(c in cats for c in w.categories_any),
        not w.ai_levels or facts.ai_level in w.ai_levels,
        not w.kinds or facts.kind in w.kinds,
        not w.author_kinds or facts.author_kind in w.author_kinds,
        w.lines_changed_min is None or facts.lines_changed >= w.lines_changed_min,
        w.lines_changed_max is None or facts.lines_changed <= w.lines_changed_max,
        w.lines_added_min is None or facts.lines_added >= w.lines_added_min,
        w.lines_deleted_min is None or facts.lines_deleted >= w.lines_deleted_min,
        w.files_min is None or facts.files >= w.files_min,
        w.criticality_max is None
        or (facts.criticality is not None and facts.criticality <= w.criticality_max),
        not w.signals_any or any(s in (facts.signals or ()) for s in w.signals_any),
        w.dependents_min is None or (facts.dependents is not None and facts.dependents >= w.dependents_min),
        *(facts.features.get(name, -1) >= milli(value) for name, value in w.feature_mins().items()),
    )
    return all(checks)


def measure_value(facts: Facts, measure: str) -> float:
    """The value a term scales: a size measure, or a change feature (unknown = 0)."""
    sizes = {"lines_added": facts.lines_added, "lines_deleted": facts.lines_deleted,
             "lines_changed": facts.lines_changed, "files": facts.files}
    if measure in sizes:
        return float(sizes[measure])
    return facts.features.get(measure, 0) / 1000


def log1p_milli(value: float) -> int:
    """floor(ln(1 + value) * 1000 + 0.5): a term's scaled measure in thousandths (as in SQL)."""
    return math.floor(math.log(1.0 + value) * 1000 + 0.5)


def term_milli(term: Term, facts: Facts) -> int:
    """What ``term`` adds to the score, in thousandths."""
    return math.floor(term.weight_milli * log1p_milli(measure_value(facts, term.measure)) / 1000 + 0.5)


def tier_for(rules: Rules, score_milli: int) -> Tier:
    """The tier with the highest threshold the score reaches (the lowest tier if none)."""
    ascending = rules.tiers_ascending()
    reached = [t for t in ascending if t.min_score_milli <= score_milli]
    return reached[-1] if reached else ascending[0]


def evaluate(rules: Rules, facts: Facts) -> Assessment:
    cats = categories(rules, facts.paths)
    fired = [r for r in rules.rule if fires(r, facts, cats)]
    terms = [(t.id, term_milli(t, facts)) for t in rules.term]
    milli = sum(r.weight_milli for r in fired) + sum(m for _, m in terms)
    tier = tier_for(rules, milli)
    return Assessment(score=milli / 1000, tier=tier.name, verification=tuple(tier.verification),
                      rules_fired=tuple(r.id for r in fired), categories=cats,
                      terms=tuple((i, m / 1000) for i, m in terms))


def evaluate_change(rules: Rules, event: Any) -> Assessment:
    """Evaluate a ``schemas.event.ChangeEvent``."""
    payload = event.payload.model_dump(mode="json")
    return evaluate(rules, facts_of(payload, event.attributes))
