"""``aftershock report | postmortem | query`` on the hand-checked lake, through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aftershock.cli import main
from aftershock.errors import ExitCode


def test_report_json_has_the_documented_sections(lake: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["report", "--lake", str(lake), "--since", "2026-11-02T00:00:00Z",
                 "--until", "2026-11-03T00:00:00Z", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == ExitCode.OK
    assert set(data) == {"period", "parameters", "dora", "linking", "ai", "blast_radius", "agents",
                         "layers"}
    # Five failed deployments whatever the weights; D9 (no change, 30 min before I5) is a sixth
    # when the calibrated weights link I5 to it.
    assert data["linking"]["linked_deployment"] in (0, 1)
    assert data["dora"]["change_failure_rate"]["numerator"] == 5 + data["linking"]["linked_deployment"]
    assert set(data["parameters"]) == {"min_confidence", "min_group", "min_failures", "environment",
                                       "window_minutes", "skew_minutes"}


def test_postmortem_by_pagerduty_id_ranks_the_reverted_change_first(
        lake: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["postmortem", "PD-I1", "--lake", str(lake), "--format", "json"]) == ExitCode.OK
    pm = json.loads(capsys.readouterr().out)
    first = pm["suspects"][0]
    assert (first["suspect_id"], first["deployment_id"], first["commit_shas"]) == (
        "payments@b2", "D2", ["b2"])
    # I1 affects payments and checkout; the timeline starts 24 h before impact (210) and ends at 270:
    # C2 (-295), C1 (-115), D8 (40, staging), D1 x2, A4, C3 x2 (105), D2 (190), A5 (200), C5 (240), D3 (260)
    assert [t["ref"] for t in pm["timeline"]] == [
        "payments@b2", "payments@a1", "D8", "D1", "D1", "A4", "checkout#7", "checkout#7", "D2", "A5",
        "payments@e5", "D3"]
    assert pm["incident"]["impact_minutes"] == 37.5


def test_postmortem_of_an_unknown_incident_fails_with_a_clear_message(
        lake: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["postmortem", "nope", "--lake", str(lake)]) == ExitCode.ANALYTICS
    assert "no incident 'nope'" in capsys.readouterr().err


def test_query_prints_csv(lake: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sql = "SELECT deployment_id, count(*) AS n FROM deployment GROUP BY 1 ORDER BY n DESC, 1 LIMIT 2"
    assert main(["query", sql, "--lake", str(lake), "--format", "csv"]) == ExitCode.OK
    # D7's duplicate delivery is deduped: D1 (started, succeeded) and D7 (github, argo) have 2 rows
    assert capsys.readouterr().out.splitlines() == ["deployment_id,n", "D1,2", "D7,2"]


@pytest.mark.parametrize("sql", [
    "COPY (SELECT 1) TO 'out.csv'",
    "CREATE TABLE t AS SELECT 1",
    "SELECT 1; SELECT 2",
    "ATTACH 'other.db'",
    "SET threads = 1",
    "SELEC 1",
])
def test_query_refuses_anything_but_one_select(lake: Path, sql: str, capsys: pytest.CaptureFixture[str],
                                               tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["query", sql, "--lake", str(lake)]) == ExitCode.ANALYTICS
    assert "aftershock: query" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
