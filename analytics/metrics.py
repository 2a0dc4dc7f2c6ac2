"""The leadership report: DORA five, AI vs non-AI, blast radius, agent guardrails, linking,
layers that held (analytics/layers.py).

:func:`build_report` returns a plain dict (documented field by field in METRICS.md, "Report
JSON"); every rate carries numerator, denominator, coverage and a 95 % interval.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import duckdb

from aftershock.errors import AnalyticsError
from aftershock.settings import IngestSettings
from analytics import layers, queries
from analytics.model import LinkParams, ensure
from analytics.stats import Stratum, guard, mantel_haenszel_rr, poisson_rate, wilson

AI_LEVELS = ("none", "suggested", "co_authored", "agent_authored", "unknown")
HALF_Z = 0.98  # 1.96 / 2, for the order-statistic interval of a median


@dataclass(frozen=True)
class ReportParams:
    since: datetime | None = None
    until: datetime | None = None
    min_confidence: float = 0.5
    min_group: int = 30
    min_failures: int = 10
    link: LinkParams = field(default_factory=LinkParams)
    # the worker's plausible window for timestamps (AFTERSHOCK_INGEST__TIMESTAMP_MAX_*): a
    # deployment dated outside it does not stretch the default period
    timestamps: IngestSettings = field(default_factory=IngestSettings)


def build_report(con: duckdb.DuckDBPyConnection, params: ReportParams | None = None) -> dict[str, Any]:
    """Everything the report prints, as JSON-ready data."""
    p = params or ReportParams()
    prepare(con, p)
    since, until = period(con, p)
    values = {"since": since, "until": until, "environment": p.link.environment, "half_z": HALF_Z}
    days = (until - since).total_seconds() / 86400
    return {
        "period": {"since": since.isoformat(), "until": until.isoformat(), "days": round(days, 6),
                   "environment": p.link.environment},
        "parameters": {"min_confidence": p.min_confidence, "min_group": p.min_group,
                       "min_failures": p.min_failures, **p.link.public()},
        "dora": dora(con, values, days),
        "linking": queries.rows(con, "linking_coverage", values)[0],
        "ai": ai_section(con, values, p),
        "blast_radius": {"top_changes": queries.rows(con, "blast_by_change", values | {"limit": 10})},
        "agents": agents(con, values),
        "layers": layers.section(con, since, until),
    }


def prepare(con: duckdb.DuckDBPyConnection, p: ReportParams) -> None:
    """The model and the outcome tables the report reads, built unless already there."""
    ensure(con, p.link, p.min_confidence)


def data_bounds(con: duckdb.DuckDBPyConnection, environment: str,
                window: IngestSettings | None = None) -> dict[str, Any]:
    """``since``/``until`` of the plausible deployment starts to ``environment`` (a deployment dated
    outside the worker's plausible window for timestamps, ``window``'s, does not stretch the
    period)."""
    window = window or IngestSettings()
    return queries.rows(con, "period_bounds", {"environment": environment,
                                               "ahead_s": window.timestamp_max_ahead_s,
                                               "age_days": window.timestamp_max_age_days})[0]


def period(con: duckdb.DuckDBPyConnection, p: ReportParams) -> tuple[datetime, datetime]:
    bounds = data_bounds(con, p.link.environment, p.timestamps)
    since, until = p.since or bounds["since"], p.until or bounds["until"]
    if since is None or until is None:
        raise AnalyticsError(f"no deployment to {p.link.environment!r} in the lake: nothing to report; "
                             "land events first or pass --since and --until")
    if until <= since:
        raise AnalyticsError(f"empty period: --until {until.isoformat()} is not after "
                             f"--since {since.isoformat()}")
    return since, until


def proportion(numerator: int, denominator: int, covered: int) -> dict[str, Any]:
    return {"numerator": numerator, "denominator": denominator,
            "rate": numerator / denominator if denominator else None,
            "interval": wilson(numerator, denominator),
            "coverage": covered / denominator if denominator else None}


def median_figure(row: dict[str, Any], denominator_key: str) -> dict[str, Any]:
    total = row[denominator_key]
    interval = (row["lower"], row["upper"]) if row["lower"] is not None and row["upper"] is not None else None
    return {"n": row["n"], "denominator": total, "coverage": row["n"] / total if total else None,
            "median_minutes": row["median_minutes"], "interval": interval}


def dora(con: duckdb.DuckDBPyConnection, values: dict[str, Any], days: float) -> dict[str, Any]:
    counts = queries.rows(con, "dora_rates", values)[0]
    n = counts["deployments"]
    return {
        "deployment_frequency": {
            "numerator": n, "denominator": days, "rate": n / days, "unit": "deployments per day",
            "interval": poisson_rate(n, days), "coverage": counts["terminal"] / n if n else None},
        "lead_time_for_changes": median_figure(queries.rows(con, "dora_lead_time", values)[0], "changes"),
        "change_failure_rate": proportion(counts["failed"], n, counts["terminal"]),
        "failed_deployment_recovery_time": median_figure(queries.rows(con, "dora_recovery", values)[0],
                                                         "failed"),
        "deployment_rework_rate": proportion(counts["rework"], n, counts["terminal"]),
    }


def ai_section(con: duckdb.DuckDBPyConnection, values: dict[str, Any], p: ReportParams) -> dict[str, Any]:
    strata = queries.rows(con, "ai_strata", values)
    return {
        "change_failure_rate": [level_rate(strata, level) for level in AI_LEVELS],
        "relative_risk": [relative_risk(strata, level, p) for level in AI_LEVELS[1:]],
        "blast_radius": queries.rows(con, "blast_by_ai_level", values),
    }


def level_rate(strata: list[dict[str, Any]], level: str) -> dict[str, Any]:
    rows = [s for s in strata if s["ai_level"] == level]
    failed, total = sum(r["failed"] for r in rows), sum(r["changes"] for r in rows)
    return {"ai_level": level, **proportion(failed, total, total)}


def relative_risk(strata: list[dict[str, Any]], level: str, p: ReportParams) -> dict[str, Any]:
    """Mantel-Haenszel RR of ``level`` against ``none`` across service x size strata."""
    cells: dict[tuple[str, str], dict[str, tuple[int, int]]] = {}
    for s in strata:
        if s["ai_level"] in (level, "none"):
            cell = cells.setdefault((s["service_name"], s["size_bucket"]), {})
            cell[s["ai_level"]] = (s["failed"], s["changes"])
    pairs = [(c.get(level, (0, 0)), c.get("none", (0, 0))) for c in cells.values()]
    rr = mantel_haenszel_rr([Stratum(e[0], e[1], r[0], r[1]) for e, r in pairs])
    refused = guard(rr, p.min_group, p.min_failures)
    return {"ai_level": level, "reference": "none", "method": "mantel_haenszel",
            "strata": rr.informative_strata, "exposed_changes": rr.exposed_n,
            "reference_changes": rr.reference_n, "failures": rr.failures,
            "rr": None if refused else rr.rr, "interval": None if refused else rr.interval,
            "status": "refused" if refused else "ok", "reason": refused}


def agents(con: duckdb.DuckDBPyConnection, values: dict[str, Any]) -> dict[str, Any]:
    return {"actions": queries.rows(con, "agent_actions_by_tier", values),
            **queries.rows(con, "agent_guardrails", values)[0]}
