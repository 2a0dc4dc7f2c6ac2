"""A connection over a :class:`~analytics.board.source.Source` and the filters resolved in it."""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import duckdb

from aftershock.errors import AnalyticsError
from analytics import bounded, queries
from analytics.board.filters import Filters, scope_values
from analytics.board.source import Source
from analytics.metrics import HALF_Z, data_bounds
from analytics.store import attach
from lake.reader import TABLES
from lake.readers import add_views

PACKAGE = "analytics.board.sql"
TEAM_TABLES = ("change", "deployment", "incident", "agent_action")
"""The raw tables :func:`service_teams` reads (the team is an event attribute)."""


@contextmanager
def opened(src: Source, tables: Iterable[str] = TABLES) -> Iterator[duckdb.DuckDBPyConnection]:
    """The lake's views of ``tables`` (default: all; each costs a read of its files' footers, so
    pages reading only the stored model ask for none) at its current snapshot with the source's
    stored model behind them, on a
    bounded session (:mod:`analytics.bounded`): files readable only inside the lake, at most
    ``src.limits.memory_limit`` of memory with nothing spilled, and the whole block stopped after
    ``src.limits.timeout_s`` (its queries interrupted; a block that still ends past the time
    raises all the same), as one :class:`AnalyticsError` naming the limit."""
    if src.model is None:
        raise AnalyticsError(f"no stored model of {src.lake} yet: it is being built; this page "
                             "shows it when it is ready")
    limits = src.limits
    con = bounded.connect(limits)
    try:
        with bounded.watch(con, limits):
            started = time.monotonic()
            add_views(con, src.lake, tables=tables)
            attach(con, src.model)
            bounded.lock_down(con, src.lake, also=[src.model.parent])
            yield con
            if time.monotonic() - started > limits.timeout_s:
                raise bounded.timeout_error(limits)
    finally:
        con.close()


def tables_for(filters: Filters, *more: str) -> tuple[str, ...]:
    """The raw tables a page reading the stored model needs: those that map services to teams
    when the filters choose teams, and ``more``."""
    return (*(TEAM_TABLES if filters.teams else ()), *more)


def rows(con: duckdb.DuckDBPyConnection, name: str,
         values: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Board query ``name`` (``analytics/board/sql``) as dicts."""
    return queries.rows(con, name, values, package=PACKAGE)


def service_teams(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """service -> team, from the events' ``team`` attribute."""
    return {r["service_name"]: r["team"] for r in rows(con, "board_service_teams")}


_TEAMS: dict[str, dict[str, str]] = {}


def teams_of(src: Source) -> dict[str, str]:
    """service -> team of ``src``'s stored model: read from the raw events once per process and
    model (as the filters' choices are), so a page needing only the map opens no raw views."""
    if src.model_key not in _TEAMS:
        with opened(src, TEAM_TABLES) as con:
            _TEAMS[src.model_key] = service_teams(con)
    return dict(_TEAMS[src.model_key])


def remember_teams(src: Source, teams: dict[str, str]) -> None:
    """Take ``src``'s service -> team map from its stored figures (``options``' ``teams``)."""
    _TEAMS.setdefault(src.model_key, dict(teams))


def resolve(con: duckdb.DuckDBPyConnection, filters: Filters, src: Source) -> dict[str, Any]:
    """The query values of ``filters``: period (the data's bounds within ``src``'s plausible
    window for timestamps, unless chosen), services."""
    bounds = data_bounds(con, filters.environment, src.timestamps)
    since, until = filters.period(bounds["since"], bounds["until"])
    teams = service_teams(con) if filters.teams else {}
    return scope_values(since, until, filters.selected_services(teams), filters.environment)


def options(src: Source) -> dict[str, Any]:
    """What the filters can offer: services, teams (service -> team), environments, data bounds."""
    with opened(src) as con:
        bounds = data_bounds(con, src.params.environment, src.timestamps)
        found = {"services": [r["service_name"] for r in rows(con, "board_services")],
                 "teams": service_teams(con),
                 "environments": [r["environment"] for r in rows(con, "board_environments")],
                 "since": bounds["since"], "until": bounds["until"]}
    remember_teams(src, found["teams"])
    return found


def median_interval(values: list[float], half_z: float = HALF_Z) -> dict[str, Any]:
    """Median and the order-statistic 95 % interval of the median, as dora_lead_time.sql computes
    them (ranks floor(n/2 - half_z sqrt n) and ceil(1 + n/2 + half_z sqrt n); None outside 1..n)."""
    ordered = sorted(values)
    n = len(ordered)
    if n == 0:
        return {"n": 0, "median_minutes": None, "interval": None}
    mid = n // 2
    median = ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2
    lower, upper = math.floor(n / 2 - half_z * math.sqrt(n)), math.ceil(1 + n / 2 + half_z * math.sqrt(n))
    interval = (ordered[lower - 1], ordered[upper - 1]) if 1 <= lower and upper <= n else None
    return {"n": n, "median_minutes": median, "interval": interval}
