"""Tune a rules file on the changes before a split; report before/after on the changes after it.

1. New path categories: directory globs the rules do not cover whose changes failed more often
   (``candidates.py``).
2. Fixed features: every category (old and new) as a "touches" rule, AI levels, service
   criticality and the file's own rules; each a rule of weight 0, so the one DuckDB evaluation
   yields every change's feature vector.
3. Size and change features: candidates are a scaled term ``weight * ln(1 + measure)`` per measure
   (lines added, lines deleted, files, every change feature) and "at least" thresholds at the
   training period's deciles; forward selection with chronological validation inside the
   training period picks the few that add (``select.py``).
4. Weights: a ridge logistic regression on the fixed and chosen features (``logistic.py``); the
   ridge strength is chosen on the latest quarter of the training period after fitting on the
   rest, then the model is refitted on the whole period. Weights are log-odds, rounded (rules to
   two decimals, terms to three); rules near zero are dropped. Every weight carries its evidence.
5. Tier thresholds: chosen so each tier flags a fixed share of the training changes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from math import floor, log10
from typing import Any

import duckdb
import numpy as np

from analytics import queries
from analytics.rules.backtest import backtest
from analytics.rules.candidates import Candidate, category_name, path_candidates, select
from analytics.rules.check import when_of
from analytics.rules.evaluate import Facts, log1p_milli, measure_value
from analytics.rules.features import FEATURES
from analytics.rules.history import PACKAGE, score_history
from analytics.rules.logistic import fit_matrix
from analytics.rules.model import Category, Rule, Rules, Term, Tier, When
from analytics.rules.select import Data, Step, forward, validation_auc

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
"""The ridge and the measures are chosen by fitting on the first 75 % of the training changes."""
AI_FEATURES = ("suggested", "co_authored", "agent_authored", "unknown")
TIER_BUDGETS = (0.10, 0.30, 0.60)
"""Share of training changes each tier (from the top) and those above it flag."""
MIN_WEIGHT = 0.05


@dataclass(frozen=True)
class TuneResult:
    rules: Rules
    report: dict[str, Any]


@dataclass(frozen=True)
class Fitted:
    """The columns the model uses (``x`` indices, 0 = intercept) and their fitted weights."""

    columns: list[int]
    weights: list[float]
    intercept: float
    ridge: float
    steps: list[Step]
    validation: dict[str, Any]


def tune(con: duckdb.DuckDBPyConnection, base: Rules, split: datetime) -> TuneResult:
    """Learn on [.., split); ``change_label`` must already be in ``con``."""
    score_history(con, base)
    train = _train_counts(con, split)
    base_rate = train["failed"] / train["changes"] if train["changes"] else 0.0
    learned = select(path_candidates(con, split, base_rate)) if base_rate else []
    cuts = queries.rows(con, "rules_quantiles", {"until": split, "q": list(QUANTILES)}, package=PACKAGE)[0]
    fixed = _fixed_rules(base, learned, split)
    taken = {repr(r.when) for r in fixed.rule}
    steps = [r for r in _thresholds(cuts) if repr(r.when) not in taken]
    candidates: list[Rule | Term] = [*steps, *_terms()]
    score_history(con, replace(fixed, rule=fixed.rule + steps))
    data = _data(queries.rows(con, "rules_train_rows", {"until": split}, package=PACKAGE),
                 fixed.rule + steps, candidates, len(fixed.rule))
    fitted = _fit(data)
    tuned = _tuned(base, fixed, candidates, data, fitted, split, train)
    score_history(con, tuned)
    scores = [(float(r["score"]), 1) for r in queries.rows(con, "rules_train_rows", {"until": split},
                                                           package=PACKAGE)]
    tuned = replace(tuned, tier=_tiers(base, scores, split.date().isoformat()))
    report = {"split": split.isoformat(), "train": train | {"base_rate": base_rate},
              "ridge": fitted.ridge, "validation": fitted.validation,
              "learned_categories": [{"glob": c.glob, "category": category_name(c.glob),
                                      "evidence": c.evidence(split.date().isoformat())} for c in learned],
              "weights": _weight_changes(base, tuned),
              "before": backtest(con, base, split), "after": backtest(con, tuned, split)}
    return TuneResult(tuned, report)


def _weight_changes(base: Rules, tuned: Rules) -> list[dict[str, Any]]:
    """Each rule's and term's weight before and after (None = absent), base rules first."""
    old = {r.id: r.weight for r in base.rule} | {t.id: t.weight for t in base.term}
    new = {r.id: r.weight for r in tuned.rule} | {t.id: t.weight for t in tuned.term}
    ids = list(old) + [i for i in new if i not in old]
    return [{"rule": i, "before": old.get(i), "after": new.get(i)} for i in ids]


def _data(rows: list[dict[str, Any]], rules: list[Rule], candidates: list[Rule | Term], fixed: int) -> Data:
    """The design matrix: intercept, the fixed rules, then each candidate (rule fired / term value)."""
    index = {r.id: i + 1 for i, r in enumerate(rules)}
    x = np.zeros((len(rows), 1 + fixed + len(candidates)))
    x[:, 0] = 1.0
    term_cols = [(fixed + 1 + i, c.measure) for i, c in enumerate(candidates) if isinstance(c, Term)]
    for row_no, row in enumerate(rows):
        x[row_no, [index[r] for r in row["rules_fired"]]] = 1.0
        facts = Facts(paths=(), lines_added=int(row["lines_added"]), lines_deleted=int(row["lines_deleted"]),
                      ai_level=None, kind=None, author_kind=None, criticality=None,
                      features=dict(row["features"] or {}), stated_files=int(row["files"]))
        for col, measure in term_cols:
            x[row_no, col] = log1p_milli(measure_value(facts, measure)) / 1000
    failed = np.array([bool(r["failed"]) for r in rows])
    cut = int(len(rows) * VALIDATION_SHARE)
    return Data(x, failed, fixed, cut, str(rows[cut]["occurred_at"]) if cut < len(rows) else "")


def _fit(data: Data) -> Fitted:
    """Forward-select candidates, choose the ridge by validation, refit on the whole period."""
    cut = data.validated_from
    fixed_cols = list(range(data.fixed + 1))
    usable = 0 < data.failed[:cut].sum() < cut and 0 < data.failed[cut:].sum() < len(data.failed) - cut
    steps, fixed_auc = forward(data) if usable else ([], 0.5)
    columns = fixed_cols + [s.column for s in steps]
    found = {r: validation_auc(data, columns, r) for r in RIDGES} if usable else {}
    ridge = max(RIDGES, key=lambda r: (round(found[r], 4), r)) if found else RIDGES[1]
    model = fit_matrix(data.x[:, columns], np.ones(len(data.failed)), data.failed.astype(float), ridge)
    validation = {"validated_from": data.validated_at,
                  "validation_auc": [f"ridge {r:g}: AUC {a:.4f}" for r, a in found.items()],
                  "validation_auc_fixed_only": round(fixed_auc, 4)} if usable else {}
    return Fitted(columns, list(model.weights), model.intercept, ridge, steps, validation)


def _train_counts(con: duckdb.DuckDBPyConnection, split: datetime) -> dict[str, int]:
    found = queries.rows(con, "rules_patterns", {"since": None, "until": split}, package=PACKAGE)
    return {"changes": sum(r["n"] for r in found), "failed": sum(r["k"] for r in found)}


def _fixed_rules(base: Rules, learned: list[Candidate], split: datetime) -> Rules:
    """The features every tuned model has: the file's rules, categories, AI levels, criticality."""
    day = split.date().isoformat()
    cats = list(base.category) + [Category(name=category_name(c.glob), globs=[c.glob],
                                           evidence=c.evidence(day)) for c in learned]
    rules = [replace(r, weight=0.0) for r in base.rule]
    taken = {repr(r.when) for r in rules}
    for rule in _generated(cats):
        if repr(rule.when) not in taken:
            rules.append(rule)
            taken.add(repr(rule.when))
    return replace(base, category=cats, rule=rules, term=[])


def _terms() -> list[Term]:
    """A candidate scaled term per size measure and change feature."""
    words = SIZE_MEASURES | FEATURE_WORDS | {"fix": "fix), 0.693 for a fix, 0 otherwise ("}
    return [Term(id=f"log-{m.replace('_', '-')}", measure=m, weight=0.0,
                 description=f"Adds weight x ln(1 + {words[m]}).".replace(" ().", "."))
            for m in ("lines_added", "lines_deleted", "files", *FEATURES)]


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


def _tuned(base: Rules, fixed: Rules, candidates: list[Rule | Term], data: Data, fitted: Fitted,
           split: datetime, train: dict[str, int]) -> Rules:
    day = split.date().isoformat()
    gains = {s.column: s for s in fitted.steps}
    kept_rules: list[Rule] = []
    kept_terms: list[Term] = []
    dropped = []
    for col, coef in zip(fitted.columns[1:], fitted.weights, strict=True):
        item = fixed.rule[col - 1] if col <= data.fixed else candidates[col - data.fixed - 1]
        evidence = _evidence(data, col, coef, day, gains.get(col))
        if isinstance(item, Term):
            if round(coef, 3) != 0:
                kept_terms.append(replace(item, weight=round(coef, 3), evidence=evidence))
        elif abs(round(coef, 2)) >= MIN_WEIGHT:
            kept_rules.append(replace(item, weight=round(coef, 2), evidence=evidence))
        else:
            dropped.append(item.id)
    used = {c for r in kept_rules for c in r.when.categories_any}
    cats = [c for c in fixed.category if c.name in used or not c.name.startswith("learned_")]
    tuning = {"trained_before": day, "trained_on_changes": train["changes"],
              "trained_on_failed": train["failed"],
              "method": "ridge logistic regression, weights in log-odds; size and change-feature terms and "
                        "thresholds chosen by forward selection on validation AUC",
              "intercept": round(fitted.intercept, 3), "ridge": fitted.ridge} | fitted.validation | {
              "dropped_rules": dropped, "tuned_from": base.version}
    return Rules(version=f"{base.version}+tuned-{day}", description=base.description, category=cats,
                 rule=kept_rules, term=kept_terms, tier=base.tier, tuning=tuning)


def _evidence(data: Data, col: int, coef: float, day: str, step: Step | None) -> str:
    """Support, failures, lift (rules) or mean scaled value (terms), selection gain, coefficient."""
    values = data.x[:, col]
    chosen = (f"; chosen by validation: AUC {step.auc_before:.4f} -> {step.auc_after:.4f}"
              if step is not None else "")
    base = data.failed.mean() if len(data.failed) else 0.0
    if set(np.unique(values)) <= {0.0, 1.0}:
        active = values == 1.0
        n, k = int(active.sum()), int(data.failed[active].sum())
        rate = k / n if n else 0.0
        lift = f"{rate / base:.2f}" if base else "n/a"
        return (f"before {day}: fired on {n} changes, {k} failed (rate {rate:.3f}, lift {lift})"
                f"{chosen}; log-odds {coef:+.3f}")
    known = values > 0
    rate_hi = data.failed[values >= np.median(values)].mean() if len(values) else 0.0
    return (f"before {day}: above 0 on {int(known.sum())} of {len(values)} changes, mean ln(1+x) "
            f"{values.mean():.2f}, failure rate {rate_hi:.3f} at or above the median against {base:.3f}"
            f"{chosen}; log-odds {coef:+.3f} per unit of ln(1 + x)")


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
