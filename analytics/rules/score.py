"""``aftershock rules score``: the score, tier and fired rules of every change of a period."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

import duckdb

from analytics import queries
from analytics.rules.history import PACKAGE, score_history
from analytics.rules.model import Rules

FORMATS = ("csv", "json", "parquet")


def score_changes(con: duckdb.DuckDBPyConnection, rules: Rules) -> None:
    """Score every change into ``rule_scores`` (then write a period of it)."""
    score_history(con, rules)


def write_parquet(con: duckdb.DuckDBPyConnection, period: dict[str, datetime | None], out: Path) -> None:
    queries.relation(con, "rules_scored", period, package=PACKAGE).write_parquet(str(out))


def write_text(con: duckdb.DuckDBPyConnection, period: dict[str, datetime | None], fmt: str,
               stream: TextIO) -> int:
    """CSV (lists joined by ``;``) or JSON lines; returns how many changes were written."""
    cursor = queries.execute(con, "rules_scored", period, package=PACKAGE)
    columns = [d[0] for d in cursor.description or []]
    count = 0
    writer = csv.writer(stream, lineterminator="\n") if fmt == "csv" else None
    if writer is not None:
        writer.writerow(columns)
    while batch := cursor.fetchmany(10_000):
        for row in batch:
            record = dict(zip(columns, row, strict=True))
            if writer is not None:
                writer.writerow([_cell(record[c]) for c in columns])
            else:
                stream.write(json.dumps(record, default=str) + "\n")
            count += 1
    return count


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return value.isoformat() if isinstance(value, datetime) else value
