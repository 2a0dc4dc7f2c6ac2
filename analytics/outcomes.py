"""The outcome label of every deployed change: did it fail, and why.

A change failed when it reached the environment and (a) it is the top-ranked linked cause of an
incident with confidence >= ``min_confidence``, or (b) it shipped alone in a deployment that
failed or was rolled back, or (c) another change reverts it, or (d) a landed defect link names
it. The risk-rule backtests score against this label; METRICS.md ("Change outcomes") documents it.
"""

from __future__ import annotations

import duckdb

from analytics import queries
from analytics.model import LinkParams, ensure


def change_outcomes(con: duckdb.DuckDBPyConnection, min_confidence: float = 0.5,
                    params: LinkParams | None = None) -> duckdb.DuckDBPyRelation:
    """Columns: change_id, service_name, occurred_at, ai_level, lines_changed, path_categories,
    failed (BOOLEAN), failure_reason (VARCHAR: incident | failed_deployment | reverted | defect_link | NULL).

    One row per change deployed to ``params.environment``; ``con`` is a connection from
    ``lake.reader.open_lake``.
    """
    ensure(con, params or LinkParams(), min_confidence)
    return queries.relation(con, "change_outcomes")
