"""Tune a rules file on the changes before a split; report before/after on the changes after it.

1. New path categories: directory globs the rules do not cover whose changes failed more often
   (``candidates.py``).
2. Features: every category (old and new) as a "touches" rule, "at least" thresholds on size
   (lines added, lines deleted, files) and on every change feature (``features.py``) at the
   training period's deciles, AI levels, service criticality, plus the file's other rules as
   they are; each is a rule of weight 0, so the one DuckDB evaluation yields every change's
   feature vector. Steps at several thresholds of one measure add up to a step function of it.
3. Weights: a ridge logistic regression on those features (``logistic.py``); the ridge strength
   is chosen on the latest quarter of the training period after fitting on the rest, then the
   model is refitted on the whole period. A rule's weight is its coefficient in log-odds, rounded
   to two decimals; rules near zero are dropped.
4. Tier thresholds: chosen so each tier flags a fixed share of the training changes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from math import floor, log10
from typing import Any

import duckdb

from analytics import queries
from analytics.rules.backtest import backtest
from analytics.rules.candidates import Candidate, category_name, path_candidates, select
from analytics.rules.check import when_of
from analytics.rules.history import PACKAGE, score_history
from analytics.rules.logistic import Pattern, fit
from analytics.rules.metrics import Item, score_metrics
from analytics.rules.model import Category, Rule, Rules, Tier, When

QUANTILES = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
SIZE_MEASURES = {"lines_added": "lines added", "lines_deleted": "lines deleted", "files": "files"}
FEATURE_WORDS = {
    "subsystems": "subsystems touched", "directories": "directories touched",
    "entropy": "bits of entropy of lines changed over files",
    "lines_before": "lines in the touched files before",
    "developers": "developers changed the files before",
    "age_days": "days on average since the files last changed",
    "prior_changes": "earlier changes to the files", "author_changes": "earlier changes by the author",
    "author_recent_changes": "recency-weighted earlier changes by the author",
    "author_subsystem_changes": "earlier changes by the author in these subsystems",
    "fix": "(1 = fixes a defect)",
}
RIDGES = (1.0, 4.0, 16.0, 64.0, 256.0)
VALIDATION_SHARE = 0.75
"""The ridge is chosen by fitting on the first 75 % of the training changes, scoring the rest."""
AI_FEATURES = ("suggested", "co_authored", "agent_authored", "unknown")
TIER_BUDGETS = (0.10, 0.30, 0.60)
"""Share of training changes each tier (from the top) and those above it flag."""
MIN_WEIGHT = 0.05


@dataclass(frozen=True)
class TuneResult:
    rules: Rules
    report: dict[str, Any]


def tune(con: duckdb.DuckDBPyConnection, base: Rules, split: datetime) -> TuneResult:
    """Learn on [.., split); ``change_label`` must already be in ``con``."""
    score_history(con, base)
    train = _train_counts(con, split)
    base_rate = train["failed"] / train["changes"] if train["changes"] else 0.0
    learned = select(path_candidates(con, split, base_rate)) if base_rate else []
    cuts = queries.rows(con, "rules_quantiles", {"until": split, "q": list(QUANTILES)}, package=PACKAGE)[0]
    features = _feature_rules(base, learned, split, cuts)
    score_history(con, features)
    patterns = _patterns(con, features, None, split)
    ridge, validation = _choose_ridge(con, features, split)
    model = fit(patterns, len(features.rule), ridge=ridge)
    tuned = _tuned(base, features, model.weights, patterns, split, train, model.intercept)
    tuned = replace(tuned, tuning=(tuned.tuning or {}) | {"ridge": ridge} | validation)
    report = {"split": split.isoformat(), "train": train | {"base_rate": base_rate},
              "ridge": ridge, "validation": validation,
              "learned_categories": [{"glob": c.glob, "category": category_name(c.glob),
                                      "evidence": c.evidence(split.date().isoformat())} for c in learned],
              "weights": _weight_changes(base, tuned),
              "before": backtest(con, base, split), "after": backtest(con, tuned, split)}
    return TuneResult(tuned, report)


def _weight_changes(base: Rules, tuned: Rules) -> list[dict[str, Any]]:
    """Each rule's weight before and after (None = absent), base rules first."""
    old = {r.id: r.weight for r in base.rule}
    new = {r.id: r.weight for r in tuned.rule}
    ids = list(old) + [i for i in new if i not in old]
    return [{"rule": i, "before": old.get(i), "after": new.get(i)} for i in ids]


def _choose_ridge(con: duckdb.DuckDBPyConnection, features: Rules, split: datetime
                  ) -> tuple[float, dict[str, Any]]:
    """The ridge whose fit on the earlier training changes ranks the later ones best (AUC)."""
    cut = queries.rows(con, "rules_train_cut", {"until": split, "share": VALIDATION_SHARE}, package=PACKAGE)
    when = cut[0]["cut"] if cut else None
    early = _patterns(con, features, None, when) if when is not None else []
    late = _patterns(con, features, when, split) if when is not None else []
    if not any(p.k for p in early) or not any(p.k for p in late) or not any(p.n - p.k for p in late):
        return RIDGES[1], {}
    found = {}
    for ridge in RIDGES:
        weights = fit(early, len(features.rule), ridge=ridge).weights
        items = [Item(sum(weights[a] for a in p.active), failed, 0)
                 for p in late for failed, count in ((True, p.k), (False, p.n - p.k)) for _ in range(count)]
        found[ridge] = score_metrics(items)["auc"] or 0.0
    best = max(RIDGES, key=lambda r: (round(found[r], 4), r))
    return best, {"validated_from": str(when),
                  "validation_auc": [f"ridge {r:g}: AUC {a:.4f}" for r, a in found.items()]}


def _train_counts(con: duckdb.DuckDBPyConnection, split: datetime) -> dict[str, int]:
    found = queries.rows(con, "rules_patterns", {"since": None, "until": split}, package=PACKAGE)
    return {"changes": sum(r["n"] for r in found), "failed": sum(r["k"] for r in found)}


def _feature_rules(base: Rules, learned: list[Candidate], split: datetime, cuts: dict[str, Any]) -> Rules:
    day = split.date().isoformat()
    cats = list(base.category) + [Category(name=category_name(c.glob), globs=[c.glob],
                                           evidence=c.evidence(day)) for c in learned]
    rules = [replace(r, weight=0.0) for r in base.rule]
    taken = {repr(r.when) for r in rules}
    for rule in _generated(cats) + _thresholds(cuts):
        if repr(rule.when) not in taken:
            rules.append(rule)
            taken.add(repr(rule.when))
    return replace(base, category=cats, rule=rules)


def _generated(cats: list[Category]) -> list[Rule]:
    out = [Rule(id=f"touches-{c.name}".replace("_", "-"), description=f"Touches {c.name} paths.",
                weight=0.0, when=When(categories_any=[c.name])) for c in cats]
    out += [Rule(id=f"ai-{lvl}".replace("_", "-"), description=f"AI attribution {lvl}.", weight=0.0,
                 when=When(ai_levels=[lvl])) for lvl in AI_FEATURES]
    out += [Rule(id=f"criticality-le-{c}", description=f"Service criticality {c} or more critical.",
                 weight=0.0, when=When(criticality_max=c)) for c in (1, 2)]
    return out


def _thresholds(cuts: dict[str, Any]) -> list[Rule]:
    """"At least" rules at the (rounded) deciles of each size measure and change feature."""
    out = []
    for measure, words in (SIZE_MEASURES | FEATURE_WORDS).items():
        scale = 1 if measure in SIZE_MEASURES else 1000
        values = sorted({_readable(v / scale) for v in cuts.get(measure) or [] if v is not None and v > 0})
        for value in values:
            shown = str(int(value)) if value == int(value) else str(value)
            key = "lines_added_min" if measure == "lines_added" else f"{measure}_min"
            if measure in SIZE_MEASURES:
                value = int(value)
            out.append(Rule(id=f"{measure.replace('_', '-')}-ge-{shown}", weight=0.0,
                            description=f"At least {shown} {words}." if measure != "fix" else "A fix.",
                            when=when_of({key: value}, f"tuned rule {key}")))
    return out


def _readable(value: float) -> float:
    """``value`` rounded to two significant digits (1234 -> 1200, 0.734 -> 0.73)."""
    return float(round(value, 1 - floor(log10(value))))


def _patterns(con: duckdb.DuckDBPyConnection, features: Rules, since: datetime | None,
              until: datetime) -> list[Pattern]:
    index = {r.id: i for i, r in enumerate(features.rule)}
    found = queries.rows(con, "rules_patterns", {"since": since, "until": until}, package=PACKAGE)
    return [Pattern(tuple(index[x] for x in r["rules_fired"]), int(r["n"]), int(r["k"])) for r in found]


def _tuned(base: Rules, features: Rules, weights: tuple[float, ...], patterns: list[Pattern],
           split: datetime, train: dict[str, int], intercept: float) -> Rules:
    day = split.date().isoformat()
    kept, dropped = [], []
    for i, (rule, w) in enumerate(zip(features.rule, weights, strict=True)):
        weight = round(w, 2)
        if abs(weight) < MIN_WEIGHT:
            dropped.append(rule.id)
            continue
        evidence = _rule_evidence(i, w, patterns, day)
        kept.append(replace(rule, weight=weight, evidence=evidence))
    used = {c for r in kept for c in r.when.categories_any}
    cats = [c for c in features.category if c.name in used or not c.name.startswith("learned_")]
    scores = [(sum(round(weights[a], 2) for a in p.active if abs(round(weights[a], 2)) >= MIN_WEIGHT), p.n)
              for p in patterns]
    tuning = {"trained_before": day, "trained_on_changes": train["changes"],
              "trained_on_failed": train["failed"],
              "method": "ridge logistic regression, weights in log-odds",
              "intercept": round(intercept, 3), "dropped_rules": dropped, "tuned_from": base.version}
    return Rules(version=f"{base.version}+tuned-{day}", description=base.description, category=cats,
                 rule=kept, tier=_tiers(base, scores, day), tuning=tuning)


def _rule_evidence(i: int, coef: float, patterns: list[Pattern], day: str) -> str:
    n = sum(p.n for p in patterns if i in p.active)
    k = sum(p.k for p in patterns if i in p.active)
    total_n = sum(p.n for p in patterns)
    total_k = sum(p.k for p in patterns)
    rate = k / n if n else 0.0
    base = total_k / total_n if total_n else 0.0
    lift = f"{rate / base:.2f}" if base else "n/a"
    return (f"before {day}: fired on {n} changes, {k} failed (rate {rate:.3f}, lift {lift}); "
            f"log-odds {coef:+.3f}")


def _tiers(base: Rules, scores: list[tuple[float, int]], day: str) -> list[Tier]:
    """Lowest tier keeps everything below; the tiers above flag the TIER_BUDGETS shares."""
    ascending = base.tiers_ascending()
    total = sum(n for _, n in scores) or 1
    out = [replace(ascending[0], min_score=min((s for s, _ in scores), default=0.0) - 1.0, evidence=None)]
    for tier, budget in zip(reversed(ascending[1:]), TIER_BUDGETS, strict=False):
        threshold = _threshold(scores, budget * total)
        share = sum(n for s, n in scores if s >= threshold) / total
        out.append(replace(tier, min_score=round(threshold, 3),
                           evidence=f"flags {share:.1%} of the changes before {day}"))
    return _distinct(sorted(out, key=lambda t: t.min_score))


def _threshold(scores: list[tuple[float, int]], budget: float) -> float:
    """The lowest score whose tier (score >= it) stays within ``budget`` changes."""
    counts: dict[float, int] = {}
    for s, n in scores:
        counts[s] = counts.get(s, 0) + n
    flagged, best = 0, max(counts, default=0.0) + 1.0
    for score in sorted(counts, reverse=True):
        flagged += counts[score]
        if flagged > budget:
            break
        best = score
    return best


def _distinct(tiers: list[Tier]) -> list[Tier]:
    """Keep thresholds strictly increasing (equal ones are nudged up by 0.001)."""
    out: list[Tier] = []
    for tier in tiers:
        if out and tier.min_score <= out[-1].min_score:
            tier = replace(tier, min_score=round(out[-1].min_score + 0.001, 3))
        out.append(tier)
    return out
