"""report, postmortem, rules and the dashboard on a lake in a bucket of a real S3 API on loopback
(moto's server): the same figures as on a local copy of the same events, the stored model kept in
the local cache folder, and one clear line when the bucket or the credentials are wrong."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from aftershock.cli import main
from aftershock.errors import ExitCode
from analytics.board.refresh import rebuild
from analytics.model import LinkParams
from ingest.backfill import land_events
from lake.readers import local_dir
from tests.analytics.fixture import all_events
from tests.dashboards.conftest import PAGES, with_teams

REPORT = ["--since", "2026-11-02T00:00:00Z", "--until", "2026-11-03T00:00:00Z", "--format", "json"]
RULES = ["--rules", "analytics/rules/default.toml", "--split", "2026-11-02T12:00:00Z", "--format", "json"]


@pytest.fixture
def lakes(bucket: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    """The hand-checked organisation landed twice: into a local folder and into the bucket."""
    monkeypatch.setenv("AFTERSHOCK_LAKE__CACHE_DIR", str(tmp_path / "cache"))
    events = with_teams(all_events())
    local, url = tmp_path / "lake", f"s3://{bucket}/lakes/one"
    land_events(local, events)
    land_events(url, events)
    return local, url


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[object, str]:
    assert main(list(argv)) == ExitCode.OK, capsys.readouterr().err
    captured = capsys.readouterr()
    return json.loads(captured.out), captured.err


def test_report_on_s3_gives_the_figures_of_the_local_copy(
        lakes: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    local, url = lakes
    expected, _ = _json(capsys, "report", "--lake", str(local), *REPORT)
    first, said = _json(capsys, "report", "--lake", url, *REPORT)
    assert first == expected
    assert "building the model" in said
    cache = local_dir(url)
    assert cache.is_relative_to(tmp_path / "cache") and list((cache / "_model").glob("*.duckdb"))
    again, said = _json(capsys, "report", "--lake", url, *REPORT)
    assert again == expected and "using the stored model" in said


def test_the_lake_setting_takes_an_s3_url(lakes: tuple[Path, str], capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    local, url = lakes
    expected, _ = _json(capsys, "report", "--lake", str(local), *REPORT)
    monkeypatch.setenv("AFTERSHOCK_LAKE__DIR", url)
    found, _ = _json(capsys, "report", *REPORT)
    assert found == expected
    sql = "SELECT count(*) AS n, count(DISTINCT event_id) AS ids FROM change"
    assert main(["query", sql, "--format", "csv", "--lake", str(local)]) == ExitCode.OK
    counted = capsys.readouterr().out
    assert main(["query", sql, "--format", "csv"]) == ExitCode.OK
    assert capsys.readouterr().out == counted and int(counted.splitlines()[-1].split(",")[0]) > 0


def test_postmortem_on_s3_names_the_same_suspects(lakes: tuple[Path, str],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    local, url = lakes
    expected, _ = _json(capsys, "postmortem", "PD-I1", "--lake", str(local), "--format", "json")
    found, _ = _json(capsys, "postmortem", "PD-I1", "--lake", url, "--format", "json")
    assert isinstance(found, dict) and isinstance(expected, dict)
    assert [s["suspect_id"] for s in found["suspects"]][:1] == ["payments@b2"]
    assert found == expected


def test_rules_backtest_on_s3_gives_the_same_table(lakes: tuple[Path, str],
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    local, url = lakes
    expected, _ = _json(capsys, "rules", "backtest", "--lake", str(local), *RULES)
    found, _ = _json(capsys, "rules", "backtest", "--lake", url, *RULES)
    assert isinstance(found, dict) and found["changes"] > 0
    assert found == expected


def test_rules_score_on_s3_gives_the_same_scores(lakes: tuple[Path, str],
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    local, url = lakes
    argv = ["rules", "score", "--rules", "analytics/rules/default.toml", "--format", "csv"]
    assert main([*argv, "--lake", str(local)]) == ExitCode.OK
    expected = capsys.readouterr().out
    assert main([*argv, "--lake", url]) == ExitCode.OK
    found = capsys.readouterr().out
    assert len(found.splitlines()) > 1 and found == expected


def _overview(lake: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("AFTERSHOCK_DASHBOARD_LAKE", lake)
    at = AppTest.from_file(str(PAGES / "overview.py"), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_overview_page_on_s3_shows_the_numbers_of_the_local_lake(
        lakes: tuple[Path, str], monkeypatch: pytest.MonkeyPatch) -> None:
    local, url = lakes
    for lake in (local, url):  # as the background rebuild stores them
        assert rebuild(lake, LinkParams(), 0.5)
    expected = {m.label: m.value for m in _overview(str(local), monkeypatch).metric}
    shown = {m.label: m.value for m in _overview(url, monkeypatch).metric}
    assert shown["Change failure rate"] == "60.0%"  # the hand-checked figure (tests/dashboards)
    assert shown == expected
    assert list((local_dir(url) / "_model").glob("*.board-*.json"))  # the figures, in the cache


def test_a_page_on_a_missing_bucket_says_so_in_one_line(s3_env: str,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    at = _overview("s3://no-such-bucket-here/lake", monkeypatch)
    assert [e.value for e in at.error] == [
        "object store: cannot list '_manifest/checkpoints/' (NoSuchBucket): check the bucket, the "
        "endpoint (AWS_ENDPOINT_URL) and the credentials of the AWS chain"]


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "aftershock", *args], capture_output=True, text=True,
                          env=env, timeout=300, check=False)


@pytest.mark.parametrize("command", [["report"], ["postmortem", "PD-I1"],
                                     ["rules", "backtest", "--rules", "analytics/rules/default.toml",
                                      "--split", "2026-11-02"]])
def test_a_missing_bucket_is_one_clear_line(s3_env: str, command: list[str]) -> None:
    done = _cli(*command, "--lake", "s3://no-such-bucket-here/lake", env=dict(os.environ))
    assert done.returncode == ExitCode.LAKE, done.stderr
    lines = [line for line in done.stderr.splitlines() if not line.startswith("rules: labelling")]
    assert lines == ["aftershock: object store: cannot list '_manifest/checkpoints/' (NoSuchBucket): "
                     "check the bucket, the endpoint (AWS_ENDPOINT_URL) and the credentials of the "
                     "AWS chain"]


def test_missing_credentials_are_one_clear_line(lakes: tuple[Path, str], tmp_path: Path) -> None:
    _, url = lakes
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") or k == "AWS_ENDPOINT_URL"}
    env |= {"AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"), "AWS_CONFIG_FILE": str(tmp_path / "none"),
            "AWS_EC2_METADATA_DISABLED": "true", "AWS_DEFAULT_REGION": "us-east-1"}
    done = _cli("report", "--lake", url, env=env)
    assert done.returncode == ExitCode.LAKE, done.stderr
    assert done.stderr.splitlines() == [
        "aftershock: object store: cannot list '_manifest/checkpoints/' (NoCredentialsError): check "
        "the bucket, the endpoint (AWS_ENDPOINT_URL) and the credentials of the AWS chain"]


def test_simulate_lands_into_a_bucket(bucket: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    url = f"s3://{bucket}/sim"
    assert main(["simulate", "--days", "1", "--seed", "3", "--lake", url]) == ExitCode.OK
    landed = int(capsys.readouterr().err.split("simulate: ")[1].split(" events")[0].replace(",", ""))
    sql = "SELECT (SELECT count(*) FROM change) + (SELECT count(*) FROM deployment) + (SELECT count(*) " \
          "FROM incident) + (SELECT count(*) FROM agent_action) + (SELECT count(*) FROM gate_decision) " \
          "+ (SELECT count(*) FROM defect_link) AS n"
    assert main(["query", sql, "--lake", url, "--format", "csv"]) == ExitCode.OK
    assert int(capsys.readouterr().out.splitlines()[-1]) == landed > 0
    assert list(tmp_path.iterdir()) == []  # nothing landed in a local folder named after the URL


def test_the_background_rebuild_of_an_s3_lake_locks_and_stores_in_the_cache(
        lakes: tuple[Path, str], monkeypatch: pytest.MonkeyPatch) -> None:
    from analytics.board import refresh
    from analytics.board.source import locate
    from lake.storage import open_store
    from tests.analytics.fixture import incident

    _, url = lakes
    assert rebuild(url, LinkParams(), 0.5)
    land_events(url, [incident("I6", "resolved", 1300, [("search", 3, 0)], 3, 1290, mitigated=1300)])
    monkeypatch.setenv("AFTERSHOCK_DASHBOARD_LAKE", url)
    at = AppTest.from_file(str(PAGES / "incidents.py"), default_timeout=120)
    at.run()
    assert not at.exception and any("refreshing" in w.value for w in at.warning)
    assert {m.label: m.value for m in at.metric}["Incidents"] == "5"  # the stored model's data
    assert refresh.lock_path(url).parent == local_dir(url) / "_model"
    for _ in range(600):  # the background rebuild's outcome, not its speed: up to 5 minutes
        if locate(url, LinkParams(), 0.5).status == "fresh" and not refresh.running(url):
            break
        time.sleep(0.5)
    else:
        pytest.fail("the background rebuild stored no model: "
                    + (local_dir(url) / "_model" / refresh.LOG_NAME).read_text()[-3000:])
    at = AppTest.from_file(str(PAGES / "incidents.py"), default_timeout=120)
    at.run()
    assert not at.warning and {m.label: m.value for m in at.metric}["Incidents"] == "6"
    assert "model stored" in (local_dir(url) / "_model" / refresh.LOG_NAME).read_text()
    assert open_store(url).keys("_model") == []  # nothing derived was written to the bucket
