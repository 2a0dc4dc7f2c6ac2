"""Subcommands of ``analytics``: report, postmortem, query (argparse only: nothing heavy is
imported here)."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from lake.options import add_lake_option


def _timestamp(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r}: give a timezone, e.g. {text}Z or {text}+00:00")
    return value



def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r}: give a number of seconds above 0, e.g. 60")
    return value


def _memory(text: str) -> str:
    from aftershock.settings import memory_size  # parsed only when the option is given

    try:
        return memory_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _refresh(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--refresh-model", action="store_true",
                        help="rebuild the model even if one is stored for the lake's current snapshot "
                        "(<lake>/_model; a stored model is used only while the lake is unchanged)")


def register(sub: Any) -> None:
    """Add this area's subcommands to the ``aftershock`` parser."""
    report = sub.add_parser(
        "report", help="leadership summary: DORA five, AI vs non-AI, blast radius, agent guardrails",
        description="Deployment frequency, lead time, change failure rate, recovery time and rework "
        "rate (each with numerator, denominator, coverage and a 95%% interval); change failure rate "
        "and relative risk per AI attribution level, stratified by service and change size; blast "
        "radius; agent guardrail figures; linking coverage. Fields: analytics/METRICS.md.")
    add_lake_option(report)
    report.add_argument("--since", type=_timestamp, help="period start, ISO 8601 with timezone")
    report.add_argument("--until", type=_timestamp, help="period end (exclusive), ISO 8601 with timezone")
    report.add_argument("--min-confidence", type=float, default=0.5,
                        help="linking confidence an incident's top suspect needs to count (default 0.5)")
    report.add_argument("--format", choices=("text", "json"), default="text")
    _refresh(report)
    report.set_defaults(handler="analytics.commands:report")

    pm = sub.add_parser(
        "postmortem", help="one incident: blast radius, timeline and ranked suspects with evidence",
        description="Look up an incident by our id or a source-native id (e.g. a PagerDuty id) and "
        "show its blast radius, everything that touched its affected services before it, and the "
        "ranked suspects with confidence, evidence and their commit shas, PR, deployment and session.")
    pm.add_argument("incident", metavar="INCIDENT", help="incident id or source-native id")
    add_lake_option(pm)
    pm.add_argument("--window", type=int, default=None, metavar="MINUTES",
                    help="timeline and linking look-back before impact start (default 1440)")
    pm.add_argument("--format", choices=("text", "json"), default="text")
    _refresh(pm)
    pm.set_defaults(handler="analytics.commands:postmortem")

    query = sub.add_parser(
        "query", help="read-only ad-hoc SQL over the lake's views",
        description="Run one SELECT over the views agent_action, change, deployment, incident, "
        "gate_decision, defect_link and dead_letter. Anything but a single SELECT/WITH/FROM query "
        "is refused, and "
        "the session can read files only inside the lake folder and write nothing (no COPY, ATTACH, "
        "INSTALL, spilling or setting changes). A query is stopped after --timeout seconds or when "
        "it needs more than --memory-limit of memory (exit 7).")
    query.add_argument("sql", metavar="SQL")
    add_lake_option(query)
    query.add_argument("--format", choices=("table", "csv"), default="table")
    query.add_argument("--timeout", type=_seconds, default=None, metavar="SECONDS",
                       help="wall-clock limit (default: AFTERSHOCK_QUERY__TIMEOUT_S, else 60)")
    query.add_argument("--memory-limit", type=_memory, default=None, metavar="SIZE",
                       help="memory cap, e.g. 512MB or 4GB (default: AFTERSHOCK_QUERY__MEMORY_LIMIT, "
                       "else 2GB)")
    query.set_defaults(handler="analytics.commands:query")
