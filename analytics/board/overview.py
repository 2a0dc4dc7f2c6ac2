"""The overview page: the DORA five over time, failure and recovery by AI level, blast radius,
guardrail violations and linking coverage, each headline with numerator, denominator and a 95 %
interval, and a plain sentence where a group is too small to conclude."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from analytics import queries
from analytics.board.filters import Filters
from analytics.board.session import median_interval, opened, resolve, rows, tables_for
from analytics.board.source import Source
from analytics.metrics import AI_LEVELS, ReportParams, level_rate, proportion, relative_risk
from analytics.stats import poisson_rate, wilson

MIN_GROUP = ReportParams().min_group
"""Below this many, a rate is shown with the sentence that it is too few to conclude."""


def overview(src: Source, filters: Filters) -> dict[str, Any]:
    with opened(src, tables_for(filters)) as con:
        v = resolve(con, filters, src)
        weeks = rows(con, "board_deploy_weeks", v)
        recovery = rows(con, "board_recovery_minutes", v)
        lead = rows(con, "board_lead_minutes", v)
        incidents = rows(con, "board_incident_weeks", v)
        guardrails = rows(con, "board_guardrail_weeks", v)
        strata = queries.rows(con, "ai_strata", v)
        ai_blast = rows(con, "board_ai_blast", v)
    if not v["all_services"]:
        strata = [s for s in strata if s["service_name"] in v["services"]]
    since, until = v["since"], v["until"]
    days = (until - since).total_seconds() / 86400
    headline = _headline(weeks, lead, recovery, incidents, guardrails, days)
    return {"period": {"since": since, "until": until, "environment": v["environment"]},
            "headline": headline, "notes": _notes(headline),
            "weekly": _weekly(weeks, lead, recovery, incidents, guardrails, since, until),
            "ai": _ai(strata, ai_blast)}


def _headline(weeks: list[dict[str, Any]], lead: list[dict[str, Any]], recovery: list[dict[str, Any]],
              incidents: list[dict[str, Any]], guardrails: list[dict[str, Any]],
              days: float) -> dict[str, Any]:
    n, terminal = _sum(weeks, "deployments"), _sum(weeks, "terminal")
    lead_times = [m for r in lead for m in r["minutes"]]
    recoveries = [r["recovery_minutes"] for r in recovery if r["recovery_minutes"] is not None]
    return {
        "deployment_frequency": {"numerator": n, "denominator": days, "rate": n / days,
                                 "interval": poisson_rate(n, days),
                                 "coverage": terminal / n if n else None},
        "lead_time_for_changes": _median(lead_times, _sum(lead, "changes")),
        "change_failure_rate": proportion(_sum(weeks, "failed"), n, terminal),
        "failed_deployment_recovery_time": _median(recoveries, len(recovery)),
        "deployment_rework_rate": proportion(_sum(weeks, "rework"), n, terminal),
        "linking_coverage": proportion(_sum(incidents, "linked"), _sum(incidents, "incidents"),
                                       _sum(incidents, "incidents")),
        "guardrail_violations": proportion(_sum(guardrails, "violations"), _sum(guardrails, "executed"),
                                           _sum(guardrails, "executed")) | {
                                               "destructive": _sum(guardrails, "destructive")},
        "impact_minutes": sum(r["impact_minutes_total"] for r in incidents),
    }


def _median(values: list[float], denominator: int) -> dict[str, Any]:
    found = median_interval(values)
    return found | {"denominator": denominator,
                    "coverage": found["n"] / denominator if denominator else None}


def _sum(found: list[dict[str, Any]], key: str) -> int:
    return int(sum(r[key] for r in found))


def _notes(h: dict[str, Any]) -> list[str]:
    """Sentences for the headline figures whose groups are too small to conclude."""
    checks = (("deployments", h["change_failure_rate"]["denominator"]),
              ("failed deployments with a known recovery time", h["failed_deployment_recovery_time"]["n"]),
              ("changes with a lead time", h["lead_time_for_changes"]["n"]),
              ("incidents", h["linking_coverage"]["denominator"]),
              ("executed destructive agent actions", h["guardrail_violations"]["denominator"]))
    return [too_few(count, what) for what, count in checks if count < MIN_GROUP]


def too_few(count: int, what: str) -> str:
    if count == 0:
        return f"No {what} in this selection: nothing to conclude."
    return (f"Only {count} {what} in this selection: too few to conclude "
            f"(at least {MIN_GROUP} are needed).")


def _weekly(weeks: list[dict[str, Any]], lead: list[dict[str, Any]], recovery: list[dict[str, Any]],
            incidents: list[dict[str, Any]], guardrails: list[dict[str, Any]], since: datetime,
            until: datetime) -> list[dict[str, Any]]:
    leads, recoveries = {r["week"]: r["minutes"] for r in lead}, _by_week(recovery, "recovery_minutes")
    inc = {r["week"]: r for r in incidents}
    grd = {r["week"]: r for r in guardrails}
    deps = {r["week"]: r for r in weeks}
    out = []
    for week in sorted({*deps, *inc, *grd, *leads, *recoveries}):
        d, i, g = deps.get(week, {}), inc.get(week, {}), grd.get(week, {})
        n, failed, rework = d.get("deployments", 0), d.get("failed", 0), d.get("rework", 0)
        cfr = wilson(failed, n)
        out.append({
            "week": week, "deployments": n,
            "deployments_per_day": n / _days_in(week, since, until),
            "change_failure_rate": failed / n if n else None,
            "cfr_low": cfr[0] if cfr else None, "cfr_high": cfr[1] if cfr else None,
            "failed": failed,
            "rework_rate": rework / n if n else None,
            "lead_time_median": median_interval(leads.get(week, []))["median_minutes"],
            "recovery_median": median_interval(recoveries.get(week, []))["median_minutes"],
            "incidents": i.get("incidents", 0), "linked": i.get("linked", 0),
            "linking_coverage": i["linked"] / i["incidents"] if i.get("incidents") else None,
            "impact_minutes": i.get("impact_minutes_total", 0.0),
            "destructive": g.get("destructive", 0), "guardrail_violations": g.get("violations", 0),
        })
    return out


def _by_week(found: list[dict[str, Any]], key: str) -> dict[date, list[float]]:
    out: dict[date, list[float]] = defaultdict(list)
    for r in found:
        if r[key] is not None:
            out[r["week"]].append(r[key])
    return out


def _days_in(week: date, since: datetime, until: datetime) -> float:
    """Days of the UTC week starting ``week`` inside [since, until)."""
    start = datetime(week.year, week.month, week.day, tzinfo=since.tzinfo)
    lo, hi = max(start, since), min(start + timedelta(days=7), until)
    return max((hi - lo).total_seconds() / 86400, 1e-9)


def _ai(strata: list[dict[str, Any]], ai_blast: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per AI level: change failure rate (per change), relative risk against ``none`` (stratified
    by service x size, refused for small groups) and recovery and blast of the incidents caused."""
    blast = {r["ai_level"]: r for r in ai_blast}
    out = []
    for level in AI_LEVELS:
        rate = level_rate(strata, level)
        rr = relative_risk(strata, level, ReportParams()) if level != "none" else None
        b = blast.get(level, {})
        out.append(rate | {
            "rr": rr["rr"] if rr else None, "rr_interval": rr["interval"] if rr else None,
            "rr_note": (rr["reason"] or "") if rr else "reference",
            "incidents": b.get("incidents", 0), "impact_minutes_total": b.get("impact_minutes_total"),
            "recovery_minutes_median": b.get("recovery_minutes_median"),
            "note": too_few(rate["denominator"], f"{level} changes")
            if rate["denominator"] < MIN_GROUP else "",
        })
    return out
