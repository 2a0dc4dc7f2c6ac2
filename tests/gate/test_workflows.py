"""The CI files in docs/ci: parsed, their commands checked against the parser, and run as far as
this machine allows (no GitHub or GitLab API here: the API responses are written by the test in
the documented shapes; the real webhook payloads of ../shared/real-events stand for the event)."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from aftershock.cli import build_parser
from gate.detectors import detect
from gate.diff import FileDiff
from tests.gate.conftest import run_cli
from tests.gate.gitrepo import commit, init

ROOT = Path(__file__).resolve().parents[2]
GITHUB_FILE = ROOT / "docs" / "ci" / "github-risk-gate.yml"
GITLAB_FILE = ROOT / "docs" / "ci" / "gitlab-risk-gate.yml"
CATALOG = '[[services]]\nname = "core"\nrepositories = ["acme/core"]\ncriticality = 1\n'


def _lookup(context: dict[str, Any], expr: str) -> str:
    value: Any = context
    for part in expr.strip().split("."):
        value = value[part]
    return str(value)


def _github_step(name: str) -> str:
    doc = yaml.safe_load(GITHUB_FILE.read_text())
    step = next(s for s in doc["jobs"]["classify"]["steps"] if s.get("name") == name)
    return str(step["run"])


def test_github_workflow_is_read_only_and_triggers_on_pull_requests() -> None:
    text = GITHUB_FILE.read_text()
    doc = yaml.safe_load(text)
    triggers = doc.get("on", doc.get(True))  # YAML 1.1 reads a bare `on` key as true
    assert set(triggers) == {"pull_request", "pull_request_review"}
    assert set(doc["permissions"].values()) == {"read"}
    # the gate's own detector finds nothing to widen in it
    assert detect([FileDiff(".github/workflows/risk-gate.yml", added=text.splitlines())]) == {}


def test_github_classify_step_parses_and_runs_on_the_real_event(real_events: Path, tmp_path: Path) -> None:
    event_file = real_events / "github" / "pull_request.closed.merged.json"
    event = json.loads(event_file.read_text())
    context = {"github": {"event": event, "repository": event["repository"]["full_name"]}}
    command = re.sub(r"\$\{\{(.*?)\}\}", lambda m: _lookup(context, m.group(1)), _github_step("Classify"))
    argv = shlex.split(command)
    assert argv[:2] == ["aftershock", "classify"]
    args = build_parser().parse_args(argv[1:])
    assert args.git == f"{event['pull_request']['base']['sha']}...{event['pull_request']['head']['sha']}"
    assert (args.format, args.check) == ("github", True)

    # the files the earlier step fetches, in the GitHub API's shapes
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "service-catalog.toml").write_text(CATALOG)
    head_sha = event["pull_request"]["head"]["sha"]
    (tmp_path / "reviews.json").write_text(json.dumps(
        [{"user": {"login": "reviewer1"}, "state": "APPROVED", "commit_id": head_sha}]))
    (tmp_path / "check-runs.json").write_text(json.dumps(
        {"total_count": 1, "check_runs": [{"name": "test", "status": "completed", "conclusion": "success"}]}))
    summary, output = tmp_path / "summary.md", tmp_path / "output.txt"
    env = {"GITHUB_EVENT_PATH": str(event_file), "GITHUB_STEP_SUMMARY": str(summary),
           "GITHUB_OUTPUT": str(output)}
    # this machine has not got the pull request's commits: the same command without --git ...
    i = argv.index("--git")
    done = run_cli(*argv[1:i], *argv[i + 2:], env=env, cwd=tmp_path)
    assert done.returncode in (0, 10, 11), done.stderr
    assert all(line.startswith("::") for line in done.stdout.splitlines())
    assert summary.read_text().startswith("### Risk: ")
    assert re.fullmatch(r"tier=\w+\nscore=[-\d.]+\ndecision=\w+\n", output.read_text())
    # ... and with a range of a local repository in place of the pull request's
    init(tmp_path / "repo")
    base = commit(tmp_path / "repo", {"src/a.py": "a\n"}, "base")
    head = commit(tmp_path / "repo", {"src/a.py": "b\n"}, "head")
    argv[i + 1] = f"{base}...{head}"
    done = run_cli(*argv[1:], "--repo", str(tmp_path / "repo"), env=env, cwd=tmp_path)
    assert done.returncode in (0, 10, 11), done.stderr
    assert output.read_text().count("tier=") == 2  # the second run appended its outputs


def test_github_fetch_step_writes_what_classify_reads() -> None:
    run = _github_step("Fetch reviews and check runs")
    assert "pulls/${{ github.event.pull_request.number }}/reviews" in run and "> reviews.json" in run
    assert "/check-runs\" > check-runs.json" in run


def _gitlab_job() -> dict[str, Any]:
    doc = yaml.safe_load(GITLAB_FILE.read_text())
    job: dict[str, Any] = doc["risk-gate"]
    return job


def test_gitlab_job_builds_an_event_the_gate_reads_and_classifies(real_events: Path, tmp_path: Path) -> None:
    if shutil.which("jq") is None:
        pytest.fail("jq is needed to run the GitLab job's event step (apt-get install jq)")
    job = _gitlab_job()
    assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    build_event, fetch, classify = job["script"]
    assert "approvals" in fetch and "> approvals.json" in fetch
    mr = json.loads((real_events / "gitlab" / "merge_request.opened.json").read_text())
    attrs = mr["object_attributes"]
    variables = {
        "CI_MERGE_REQUEST_TITLE": attrs["title"], "CI_MERGE_REQUEST_DESCRIPTION": attrs["description"] or "",
        "CI_MERGE_REQUEST_LABELS": ",".join(label["title"] for label in mr.get("labels") or []),
        "GITLAB_USER_LOGIN": mr["user"]["username"], "CI_PROJECT_PATH": mr["project"]["path_with_namespace"],
        "CI_PROJECT_URL": mr["project"]["web_url"], "CI_MERGE_REQUEST_IID": str(attrs["iid"]),
        "CI_COMMIT_SHA": attrs["last_commit"]["id"], "CI_MERGE_REQUEST_DIFF_BASE_SHA": "0" * 40,
    }
    done = subprocess.run(["sh", "-c", build_event], cwd=tmp_path, env=os.environ | variables,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    (tmp_path / "service-catalog.toml").write_text(CATALOG)
    (tmp_path / "approvals.json").write_text(json.dumps({"approved_by": [{"user": {"username": "maint"}}]}))
    argv = shlex.split(classify)
    assert argv[:2] == ["aftershock", "classify"]
    args = build_parser().parse_args(argv[1:])
    assert (args.gitlab_event, args.format, args.check) == (Path("mr-event.json"), "markdown", True)
    i = argv.index("--git")  # the merge request's commits are not on this machine
    result = run_cli(*argv[1:i], *argv[i + 2:], "--format", "json", cwd=tmp_path)
    assert result.returncode in (0, 10, 11), result.stderr
    d = json.loads(result.stdout)
    assert d["change_id"] == f"{variables['CI_PROJECT_PATH']}!{attrs['iid']}"
    assert d["facts"]["author"] == variables["GITLAB_USER_LOGIN"] and d["checked"] is True
    # the job's event carries what the real merge request hook carries for the gate
    direct = run_cli("classify", "--gitlab-event", str(real_events / "gitlab" / "merge_request.opened.json"),
                     "--format", "json")
    same = json.loads(direct.stdout)
    assert (same["change_id"], same["ai_level"], same["facts"]["kind"]) == \
        (d["change_id"], d["ai_level"], d["facts"]["kind"])
