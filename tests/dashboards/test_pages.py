"""Every page through Streamlit's AppTest on the hand-checked lake (numbers from
tests/analytics/fixture.py, checked by hand in tests/analytics/test_metrics.py), a filter
change, and the empty and missing lake."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.board.filters import Filters
from analytics.board.rules import rules_board, rules_history
from analytics.board.source import locate
from analytics.model import LinkParams
from tests.dashboards.conftest import PAGES

NAMES = ("overview", "changes", "incidents", "agents", "rules", "postmortem")


def run(page: str) -> AppTest:
    at = AppTest.from_file(str(PAGES / f"{page}.py"), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_overview_shows_the_dora_five_with_counts_and_intervals(board_lake: Path) -> None:
    at = run("overview")
    shown = metrics(at)
    # period: first to last production deployment start (D1 at T0+60 .. D11 at T0+1380)
    assert shown["Deployment frequency"] == "10.91/day"
    # the calibrated linking weights link I5 to D9 too (see tests/analytics/test_commands.py)
    assert shown["Change failure rate"] == "60.0%"
    assert shown["Lead time (median)"] == "90 min"
    assert shown["Recovery time (median)"] == "30 min"  # the median moves with D9 among the failures
    assert shown["Rework rate"] == "20.0%"
    assert shown["Linking coverage"] == "80.0%"
    assert shown["Destructive actions without 2nd authorization"] == "50.0%"
    text = markdown(at)
    assert "**CFR** 6/10, 95% 31.3%-83.2%" in text
    assert "**linked** 4/5" in text and "**unguarded destructive** 1/2" in text
    assert "Only 10 deployments in this selection: too few to conclude" in text
    assert "Only 3 none changes in this selection" in text


def test_a_service_filter_changes_the_numbers_and_the_url(board_lake: Path) -> None:
    at = run("overview")
    at.multiselect(key="w_service").set_value(["search"]).run()
    assert not at.exception
    shown = metrics(at)
    assert shown["Change failure rate"] == "100.0%"  # D6 and D10 both failed
    assert "**CFR** 2/2" in markdown(at)
    assert at.query_params["service"] in ("search", ["search"])


def test_a_team_filter_from_the_url_keeps_the_teams_services(board_lake: Path) -> None:
    at = AppTest.from_file(str(PAGES / "overview.py"), default_timeout=120)
    at.query_params["team"] = "team-find"  # search and ledger
    at.run()
    assert not at.exception
    assert "**CFR** 2/2" in markdown(at)
    assert metrics(at)["Linking coverage"] == "50.0%"  # I3 (ledger) unlinked, I4 (search) linked


def test_changes_by_ai_level_and_by_strategy(board_lake: Path) -> None:
    at = run("changes")
    table = at.dataframe[0].value
    got = {r.ai_level: (r.changes, r.failed) for r in table.itertuples()}
    assert got == {"none": (3, 1), "suggested": (2, 1), "co_authored": (1, 1), "unknown": (1, 0)}
    assert "4 of 4 comparisons are too small to conclude" in markdown(at)
    at.radio(key="dim").set_value("strategy").run()
    table = at.dataframe[0].value
    assert [(r.strategy, r.changes, r.failed) for r in table.itertuples()] == [("all_at_once", 7, 3)]


def test_incidents_widest_and_without_cause(board_lake: Path) -> None:
    at = run("incidents")
    shown = metrics(at)
    # I5 has a credible cause (D9) under the calibrated weights
    assert (shown["Incidents"], shown["Impact minutes"], shown["No credible cause"]) == ("5", "59.2", "1")
    widest = at.dataframe[0].value
    assert list(widest.incident_id[:2]) == ["I1", "I2"] and widest.impact_minutes[0] == 37.5
    assert "2 services (dependents to depth 1)" in widest.widened_by[0]
    assert sorted(at.dataframe[1].value.incident_id) == ["I3"]


def test_agents_and_guardrails(board_lake: Path) -> None:
    at = run("agents")
    shown = metrics(at)
    assert (shown["Agent actions"], shown["Destructive"]) == ("5", "3")
    assert shown["Incidents traced to agents"] == "1"
    assert shown["Executed without 2nd authorization"] == "50.0%"
    ranked = at.dataframe[2].value
    assert ranked.iloc[0].to_dict() == {"agent": "claude-code", "actions": 5, "destructive": 3,
                                             "destructive_executed": 2, "unguarded": 1, "denied": 1,
                                             "incidents": 1, "impact_minutes": 7.5}
    assert list(at.dataframe[3].value.incident_id) == ["I4"]
    assert "no gate decision" in markdown(at)


def test_risk_rules_backtest_and_what_if(board_lake: Path) -> None:
    at = run("rules")
    assert "7 changes, 1 caused an incident, 3 failed" in markdown(at)
    # the fixture's files match no path category of the default rules: every change scores 0, so
    # the only threshold flags all 7 changes and catches the one incident cause (C3)
    assert at.select_slider(key="threshold").options == ["0.0"]
    shown = metrics(at)
    assert shown["Changes flagged"] == "100.0%" and shown["Incident-causing changes caught"] == "100.0%"
    models = at.dataframe[0].value
    assert list(models.model) == ["rules", "lines_added", "random"]


def test_risk_rules_for_services_and_teams_reuse_one_scoring(board_lake: Path) -> None:
    src = locate(board_lake, LinkParams(), 0.5)
    history = rules_history(src, Filters())
    per = {s: rules_board(history, Filters(services=(s,)))["rules"]["changes"] for s in history["teams"]}
    assert rules_board(history, Filters())["rules"]["changes"] == sum(per.values()) == 7
    money = rules_board(history, Filters(teams=("team-money",)))["rules"]
    assert money["changes"] == per["payments"] + per["checkout"] > 0
    at = run("rules")
    at.multiselect(key="w_service").set_value(["search"]).run()
    assert not at.exception
    assert f"{per['search']} changes," in markdown(at)


def test_postmortem_by_pick_and_by_source_id(board_lake: Path) -> None:
    at = run("postmortem")
    assert at.subheader[0].value == "I1: I1 down"  # the widest incident first
    assert "**1. change payments@b2** confidence 0.97 (time_window, revert)" in markdown(at)
    at.text_input(key="pasted").set_value("PD-I2").run()
    assert at.subheader[0].value == "I2: I2 down"
    assert "deployment" in markdown(at) or "checkout#7" in markdown(at)
    at.text_input(key="pasted").set_value("PD-nope").run()
    assert not at.exception
    assert any("no incident 'PD-nope'" in i.value for i in at.info)


@pytest.mark.parametrize("page", NAMES)
def test_every_page_renders_without_error(board_lake: Path, page: str) -> None:
    at = run(page)
    assert not at.error
    assert any("Data as of" in c.value for c in at.caption)


@pytest.mark.parametrize("page", NAMES)
def test_an_empty_lake_shows_how_to_load_data(empty_lake: Path, page: str) -> None:
    at = run(page)
    assert not at.error
    note = " ".join(i.value for i in at.info)
    assert "holds no committed events yet" in note and "aftershock simulate" in note


def test_a_missing_lake_shows_how_to_load_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AFTERSHOCK_DASHBOARD_LAKE", str(tmp_path / "nowhere"))
    at = run("overview")
    assert "does not exist" in " ".join(i.value for i in at.info)
