"""Backtest: score a period with a rules file and with baselines; learns nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

from analytics import queries
from analytics.rules.history import PACKAGE, score_history
from analytics.rules.metrics import Item, rule_metrics, score_metrics
from analytics.rules.model import Rules


@dataclass(frozen=True)
class Row:
    change_id: str
    score: float
    lines_changed: int
    lines_added: int
    rules_fired: tuple[str, ...]
    tier: str
    failed: bool


def labelled_rows(con: duckdb.DuckDBPyConnection, rules: Rules, since: datetime | None,
                  until: datetime | None) -> list[Row]:
    """Score history with ``rules`` and return the labelled changes of [since, until)."""
    score_history(con, rules)
    found = queries.rows(con, "rules_labelled", {"since": since, "until": until}, package=PACKAGE)
    return [Row(r["change_id"], float(r["score"]), int(r["lines_changed"]), int(r["lines_added"]),
                tuple(r["rules_fired"]), r["tier"], bool(r["failed"])) for r in found]


def evaluate_rows(rules: Rules, rows: list[Row]) -> dict[str, Any]:
    """Metrics of the rules and of the baselines on ``rows``; per-rule and per-tier figures."""
    positives = sum(r.failed for r in rows)
    return {
        "changes": len(rows), "failed": positives,
        "base_rate": positives / len(rows) if rows else None,
        "models": {
            "rules": score_metrics(Item(r.score, r.failed, r.lines_changed) for r in rows),
            "lines_added": score_metrics(Item(r.lines_added, r.failed, r.lines_changed) for r in rows),
            "random": score_metrics(Item(0.0, r.failed, r.lines_changed) for r in rows),
        },
        "rules": [m | {"weight": rule.weight} for m, rule in zip(
            rule_metrics([r.rules_fired for r in rows], [r.failed for r in rows],
                         [x.id for x in rules.rule]), rules.rule, strict=True)],
        "tiers": [_tier(t.name, t.verification, rows) for t in reversed(rules.tiers_ascending())],
    }


def _tier(name: str, verification: list[str], rows: list[Row]) -> dict[str, Any]:
    members = [r for r in rows if r.tier == name]
    failed = sum(r.failed for r in members)
    return {"tier": name, "changes": len(members), "share": len(members) / len(rows) if rows else None,
            "failed": failed, "precision": failed / len(members) if members else None,
            "verification": verification}


def backtest(con: duckdb.DuckDBPyConnection, rules: Rules, split: datetime) -> dict[str, Any]:
    """The period on and after ``split``, scored by ``rules`` and the baselines."""
    rows = labelled_rows(con, rules, split, None)
    return {"rules_version": rules.version, "period": {"since": split.isoformat(), "until": None}} | \
        evaluate_rows(rules, rows)
