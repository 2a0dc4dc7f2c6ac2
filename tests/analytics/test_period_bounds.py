"""The report's default period ignores implausible deployment dates: one valid deployment dated
9999-12-31 (or 1970) in a lake landed by ``land_events`` (no worker checked it) must not stretch
the period and flatten the deployment frequency."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aftershock.cli import main
from aftershock.settings import IngestSettings
from analytics.board.filters import Filters
from analytics.board.overview import overview
from analytics.board.session import options
from analytics.board.source import locate
from analytics.metrics import build_report
from analytics.model import LinkParams
from analytics.store import connect
from ingest.backfill import land_events
from lake.reader import open_lake
from schemas.deployment import Deployment
from schemas.event import DeploymentEvent, Event
from tests.analytics.fixture import all_events, at


def _absurd(did: str, when: datetime) -> DeploymentEvent:
    return DeploymentEvent(
        event_id=f"dep-{did}", source="github", occurred_at=when, service_name="payments",
        deployment_environment_name="production", deployment_id=did,
        payload=Deployment(status="succeeded", started_at=when, finished_at=when))


def _frequency(lake: Path, events: list[Event]) -> tuple[str, str, float]:
    land_events(lake, events)
    con = open_lake(lake)
    try:
        report = build_report(con)
    finally:
        con.close()
    freq = report["dora"]["deployment_frequency"]
    return report["period"]["since"], report["period"]["until"], freq["rate"]


@pytest.mark.parametrize("when", [datetime(9999, 12, 31, tzinfo=UTC), datetime(1970, 1, 1, tzinfo=UTC)])
def test_one_absurd_deployment_date_leaves_the_period_and_the_rate(tmp_path: Path, when: datetime) -> None:
    plain = _frequency(tmp_path / "plain", all_events())
    assert plain[2] > 1  # several deployments a day in the hand-checked lake
    assert _frequency(tmp_path / "absurd", [*all_events(), _absurd("D-absurd", when)]) == plain


def test_the_report_command_takes_the_window_from_the_ingest_settings(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A deployment landed dated two years back stretches the period under the default 20-year
    window, and not under ``AFTERSHOCK_INGEST__TIMESTAMP_MAX_AGE_DAYS=365``."""
    lake = tmp_path / "lake"
    old = datetime.now(UTC).replace(microsecond=0) - timedelta(days=730)
    land_events(lake, [*all_events(), _absurd("D-old", old)])

    def since() -> str:
        assert main(["report", "--lake", str(lake), "--format", "json"]) == 0
        return str(json.loads(capsys.readouterr().out)["period"]["since"])

    assert since() == old.isoformat()
    monkeypatch.setenv("AFTERSHOCK_INGEST__TIMESTAMP_MAX_AGE_DAYS", "365")
    assert since() == at(60).isoformat()  # D1, the fixture's first production deployment


def test_the_dashboard_takes_the_window_from_its_source(tmp_path: Path) -> None:
    """The pages' default period follows the plausible window their source carries (the
    dashboard passes AFTERSHOCK_INGEST__TIMESTAMP_MAX_*), as ``aftershock report`` does."""
    lake = tmp_path / "lake"
    old = datetime.now(UTC).replace(microsecond=0) - timedelta(days=730)
    land_events(lake, [*all_events(), _absurd("D-old", old)])
    connect(lake, LinkParams(), 0.5).close()  # the stored model the pages read
    wide = locate(lake, LinkParams(), 0.5)
    narrow = locate(lake, LinkParams(), 0.5, timestamps=IngestSettings(timestamp_max_age_days=365))
    assert options(wide)["since"] == old
    first = at(60)  # the hand-checked lake's first deployment
    assert options(narrow)["since"] == first
    assert overview(wide, Filters())["period"]["since"] == old
    assert overview(narrow, Filters())["period"]["since"] == first
