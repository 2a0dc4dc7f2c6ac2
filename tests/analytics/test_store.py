"""The stored model (analytics/store.py): kept per lake snapshot, reused only while the lake is
unchanged, never changing an answer."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from aftershock.cli import main
from aftershock.errors import ExitCode
from analytics.metrics import ReportParams, build_report
from analytics.model import LinkParams
from analytics.postmortem import postmortem
from analytics.store import MODEL_DIR, connect, model_path
from ingest.backfill import land_events
from lake.manifest import snapshot
from lake.reader import open_lake
from tests.analytics.fixture import all_events, change, deploy

REPORT = ["report", "--format", "json", "--since", "2026-11-01T00:00:00Z", "--until", "2026-11-04T00:00:00Z"]


@pytest.fixture()
def own_lake(tmp_path: Path) -> Path:
    path = tmp_path / "lake"
    land_events(path, all_events())
    return path


def report(lake: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[dict[str, Any], str]:
    assert main([*REPORT, "--lake", str(lake), *extra]) == ExitCode.OK
    out = capsys.readouterr()
    return json.loads(out.out), out.err


def stored(lake: Path) -> list[str]:
    return sorted(p.name for p in (lake / MODEL_DIR).iterdir())


def test_the_second_report_reads_the_stored_model_and_says_the_same(
        own_lake: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, said_first = report(own_lake, capsys)
    second, said_second = report(own_lake, capsys)
    assert "building the model" in said_first and "using the stored model" in said_second
    assert second == first
    assert len(stored(own_lake)) == 1 and stored(own_lake)[0].endswith(".duckdb")


def test_a_new_commit_builds_a_new_model_with_the_new_events_and_drops_the_old(
        own_lake: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before, _ = report(own_lake, capsys)
    old = stored(own_lake)
    land_events(own_lake, [change("search@z1", "agent_authored", 3, 1, "config", 1500),
                           deploy("D99", "search", 1510, 1515, "failed", ["search@z1"])])
    after, said = report(own_lake, capsys)
    assert "building the model" in said
    assert stored(own_lake) != old and len(stored(own_lake)) == 1
    failed = [r["dora"]["change_failure_rate"]["numerator"] for r in (before, after)]
    assert failed[1] == failed[0] + 1


def test_refresh_model_rebuilds_even_when_one_is_stored(own_lake: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    first, _ = report(own_lake, capsys)
    again, said = report(own_lake, capsys, "--refresh-model")
    assert "building the model" in said and again == first
    assert len(stored(own_lake)) == 1


def test_a_model_folder_that_cannot_be_written_costs_only_the_rebuild(
        own_lake: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (own_lake / MODEL_DIR).write_text("in the way")
    first, said = report(own_lake, capsys)
    assert "could not store the model" in said
    second, said_again = report(own_lake, capsys)
    assert "building the model" in said_again and second == first


@pytest.mark.parametrize("params", [
    ReportParams(min_confidence=0.9),
    ReportParams(link=replace(LinkParams(), window_minutes=300, skew_minutes=5)),
])
def test_other_parameters_over_a_stored_model_answer_as_a_fresh_build(own_lake: Path,
                                                                      params: ReportParams) -> None:
    connect(own_lake, LinkParams(), 0.5).close()
    over_stored = connect(own_lake, LinkParams(), 0.5)
    assert build_report(over_stored, params) == build_report(open_lake(own_lake), params)
    assert (postmortem(over_stored, "I1", params.link.window_minutes, params)
            == postmortem(open_lake(own_lake), "I1", params.link.window_minutes, params))


def test_the_stored_model_has_the_tables_the_report_and_the_postmortem_read(own_lake: Path) -> None:
    connect(own_lake, LinkParams(), 0.5).close()
    con = connect(own_lake, LinkParams(), 0.5)
    tables = {row[0] for row in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'stored_model'").fetchall()}
    assert {"a_links", "a_changes", "a_deployments", "a_deploy_outcomes", "a_change_outcomes",
            "a_incident_blame", "a_blast", "a_change_lead", "a_agent_actions"} <= tables
    assert not tables & {"a_link_evidence", "a_change_events", "a_deployment_events"}


def test_every_input_of_the_model_changes_where_it_is_stored(own_lake: Path) -> None:
    state = snapshot(own_lake)
    base = model_path(own_lake, state, LinkParams(), 0.5)
    assert base == model_path(own_lake, snapshot(own_lake), LinkParams(), 0.5)
    others = {model_path(own_lake, state, LinkParams(), 0.6),
              model_path(own_lake, state, replace(LinkParams(), window_minutes=60), 0.5),
              model_path(own_lake, replace(state, head="0" * 64), LinkParams(), 0.5)}
    assert base not in others and len(others) == 3


def test_verify_passes_with_a_stored_model_beside_the_lake(own_lake: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    report(own_lake, capsys)
    assert main(["verify", "--lake", str(own_lake)]) == ExitCode.OK


def test_the_timeline_read_from_files_equals_a_filter_over_the_views_with_conflicting_copies(
        own_lake: Path) -> None:
    # A later copy of an in-window event moved out of the window, and a later copy of an
    # out-of-window event moved into it: the views keep each event's first landed copy.
    land_events(own_lake, [change("payments@zz", "none", 1, 1, "config", -5000, event_id="chg-zz")])
    land_events(own_lake, [change("payments@a1", "none", 10, 0, "app_code", -5000, kind="revert"),
                           change("payments@zz", "none", 1, 1, "config", 100, event_id="chg-zz")])
    con = connect(own_lake, LinkParams(), 0.5)
    pm = postmortem(con, "I1")
    since, until = pm["incident"]["impact_started_at"] - timedelta(minutes=1440), pm["incident"]["ended_at"]
    expected = sorted(
        (row[0], row[1], row[2]) for row in con.execute(
            "SELECT occurred_at, 'change', change_id FROM change "
            "WHERE service_name IN ('payments', 'checkout') "
            "UNION ALL SELECT occurred_at, 'deployment', deployment_id FROM deployment "
            "WHERE service_name IN ('payments', 'checkout') "
            "UNION ALL SELECT occurred_at, 'agent_action', event_id FROM agent_action "
            "WHERE service_name IN ('payments', 'checkout')").fetchall()
        if since <= row[0] <= until)
    assert sorted((t["at"], t["kind"], t["ref"]) for t in pm["timeline"]) == expected
    refs = [t["ref"] for t in pm["timeline"]]
    assert "payments@a1" in refs and "payments@zz" not in refs


def test_a_stored_model_that_cannot_be_read_is_built_again(own_lake: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    first, _ = report(own_lake, capsys)
    (own_lake / MODEL_DIR / stored(own_lake)[0]).write_bytes(b"not a database")
    again, said = report(own_lake, capsys)
    assert "does not match its digest" in said and "building the model" in said
    assert again == first
    third, said_third = report(own_lake, capsys)
    assert "using the stored model" in said_third and third == first


def _edit_stored_model(lake: Path) -> None:
    """What an attacker who can write the lake does: mark every deployment as not failed."""
    import duckdb

    con = duckdb.connect(str(lake / MODEL_DIR / stored(lake)[0]))
    con.execute("UPDATE a_deploy_outcomes SET failed = false")
    con.close()


def test_an_edited_stored_model_is_never_used(own_lake: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, _ = report(own_lake, capsys)
    assert first["dora"]["change_failure_rate"]["numerator"] > 0
    _edit_stored_model(own_lake)
    again, said = report(own_lake, capsys)
    assert "does not match its digest" in said and "building the model" in said
    assert again == first


def test_a_stored_model_without_its_digest_outside_the_lake_is_built_again(
        own_lake: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    connect(own_lake, LinkParams(), 0.5, digests=tmp_path / "digests").close()
    said: list[str] = []
    connect(own_lake, LinkParams(), 0.5, digests=tmp_path / "elsewhere", progress=said.append).close()
    assert any("has no digest" in s for s in said) and any("building the model" in s for s in said)
    said.clear()
    connect(own_lake, LinkParams(), 0.5, digests=tmp_path / "elsewhere", progress=said.append).close()
    assert any("using the stored model" in s for s in said)
