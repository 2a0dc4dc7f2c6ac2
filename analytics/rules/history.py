"""Score all of history with a rules file in DuckDB (the backtest's and tuner's evaluation)."""

from __future__ import annotations

import duckdb

from analytics import queries
from analytics.rules.features import milli
from analytics.rules.model import Rule, Rules

PACKAGE = "analytics.rules.sql"


def load_rule_tables(con: duckdb.DuckDBPyConnection, rules: Rules) -> None:
    """(Re)create the temp tables rule_category_glob, rule_def, rule_term and rule_tier from ``rules``."""
    queries.execute(con, "rules_tables", package=PACKAGE)
    globs = [{"category": c.name, "cat_ord": i, "glob": g}
             for i, c in enumerate(rules.category) for g in c.globs]
    _insert(con, "rules_insert_glob", globs)
    _insert(con, "rules_insert_rule", [_rule_row(i, r) for i, r in enumerate(rules.rule)])
    terms = [{"term_id": t.id, "ord": i, "measure": t.measure, "weight_milli": t.weight_milli}
             for i, t in enumerate(rules.term)]
    _insert(con, "rules_insert_term", terms)
    tiers = [{"name": t.name, "ord": i, "min_score_milli": t.min_score_milli}
             for i, t in enumerate(rules.tier)]
    _insert(con, "rules_insert_tier", tiers)


def _rule_row(ord_: int, rule: Rule) -> dict[str, object]:
    w = rule.when
    return {"rule_id": rule.id, "ord": ord_, "weight_milli": rule.weight_milli,
            "categories_any": w.categories_any, "ai_levels": w.ai_levels, "kinds": w.kinds,
            "author_kinds": w.author_kinds, "lines_changed_min": w.lines_changed_min,
            "lines_changed_max": w.lines_changed_max, "lines_added_min": w.lines_added_min,
            "lines_deleted_min": w.lines_deleted_min,
            "files_min": w.files_min, "criticality_max": w.criticality_max,
            "signals_any": w.signals_any, "dependents_min": w.dependents_min,
            "feature_mins": [{"name": k, "milli": milli(v)} for k, v in w.feature_mins().items()]}


def _insert(con: duckdb.DuckDBPyConnection, name: str, rows: list[dict[str, object]]) -> None:
    if rows:
        con.executemany(queries.text(name, PACKAGE), rows)


def derive_features(con: duckdb.DuckDBPyConnection) -> None:
    """Derive change features from the lake's own history (``derive.py``) as table change_derived;
    scoring then uses them for every change whose event lacks the attributes."""
    from analytics.rules.derive import FIX_PATTERN

    queries.execute(con, "rules_derived_features", {"fix_words": "(?i)" + FIX_PATTERN}, package=PACKAGE)


def score_history(con: duckdb.DuckDBPyConnection, rules: Rules, table: str = "rule_scores") -> None:
    """Materialise the scores of every change as table ``table`` (an allowlisted name)."""
    if table not in ("rule_scores", "rule_features"):
        raise ValueError(f"table {table!r} is not one the rules module writes")
    load_rule_tables(con, rules)
    queries.execute(con, f"rules_drop_{table}", package=PACKAGE)
    queries.relation(con, "rules_score", package=PACKAGE).to_table(table)
