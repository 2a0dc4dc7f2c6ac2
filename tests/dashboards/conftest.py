"""Lakes for the dashboard tests: the hand-checked organisation (tests/analytics/fixture.py) with
a team attribute per service, landed with the ingest code and its model and pages' figures
stored (as the background rebuild stores them); and an empty lake folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from analytics.board.refresh import rebuild
from analytics.model import LinkParams
from analytics.store import connect
from ingest.backfill import land_events
from schemas.event import Event
from tests.analytics.fixture import all_events

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT / "dashboards" / "views"
TEAMS = {"payments": "team-money", "checkout": "team-money", "search": "team-find", "ledger": "team-find"}


def with_teams(events: list[Event]) -> list[Event]:
    return [e.model_copy(update={"attributes": {"team": TEAMS[e.service_name]}})
            if e.service_name in TEAMS else e for e in events]


@pytest.fixture(scope="session")
def fixture_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    lake = tmp_path_factory.mktemp("board") / "lake"
    land_events(lake, with_teams(all_events()))
    connect(lake, LinkParams(), 0.5).close()
    assert rebuild(lake, LinkParams(), 0.5)  # the pages' figures over the stored model
    return lake


@pytest.fixture()
def board_lake(fixture_lake: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("AFTERSHOCK_DASHBOARD_LAKE", str(fixture_lake))
    yield fixture_lake


@pytest.fixture()
def empty_lake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    lake = tmp_path / "empty"
    lake.mkdir()
    monkeypatch.setenv("AFTERSHOCK_DASHBOARD_LAKE", str(lake))
    yield lake
