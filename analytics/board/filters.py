"""The dashboard filters and the query values they resolve to (pure: no I/O)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from aftershock.errors import AnalyticsError

DEFAULT_ENVIRONMENT = "production"


@dataclass(frozen=True)
class Filters:
    """Time range (UTC days, both inclusive; None = the first/last deployment), services, teams
    (a team stands for the services it owns; with services too, only those of the teams) and
    the environment."""

    since: date | None = None
    until: date | None = None
    services: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    environment: str = DEFAULT_ENVIRONMENT

    def period(self, first: datetime | None, last: datetime | None) -> tuple[datetime, datetime]:
        """[since, until) as timestamps: the chosen days, else the data's bounds."""
        since = _midnight(self.since) if self.since else first
        until = _midnight(self.until + timedelta(days=1)) if self.until else last
        if since is None or until is None:
            raise AnalyticsError(f"no deployment to {self.environment!r} in the lake: nothing to show "
                                 "yet; land events first or pick another environment")
        if until <= since:
            raise AnalyticsError(f"empty time range: {since.date()} .. {until.date()} (choose an end "
                                 "after the start)")
        return since, until

    def everywhere(self) -> Filters:
        """The same period and environment on every service."""
        return replace(self, services=(), teams=())

    def selected_services(self, teams: Mapping[str, str]) -> list[str] | None:
        """The services to keep, or None for all (``teams`` maps service -> team)."""
        if not self.services and not self.teams:
            return None
        chosen = set(self.services) if self.services else set(teams)
        if self.teams:
            chosen = {s for s in chosen if teams.get(s) in self.teams}
        return sorted(chosen)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def scope_values(since: datetime, until: datetime, services: list[str] | None,
                 environment: str) -> dict[str, Any]:
    """Values the board queries bind: $since, $until, $all_services, $services, $environment."""
    return {"since": since, "until": until, "all_services": services is None,
            "services": services or [], "environment": environment}
