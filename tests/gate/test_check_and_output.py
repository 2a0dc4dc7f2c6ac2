"""--check against review / CI files, GitHub annotations and job summary, --emit to a spool."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gate.github import MAX_ANNOTATIONS, SUMMARY_LIMIT, annotation_lines, summary
from tests.gate.conftest import classify_json, run_cli
from tests.gate.gitrepo import commit, init


def _review(login: str, state: str) -> dict[str, object]:
    return {"user": {"login": login}, "state": state, "body": "", "commit_id": "x"}


@pytest.fixture
def high_risk(tmp_path: Path) -> tuple[Path, str]:
    root = tmp_path / "svc"
    init(root)
    base = commit(root, {".github/CODEOWNERS": "*.md @docs-team\n/iam/ @sec-lead @sec-two\n",
                         "iam/p.json": "{}\n"}, "initial")
    head = commit(root, {"iam/p.json": '{"Action": "*"}\n', "src/a.py": "x\n"}, "widen")
    return root, f"{base}..{head}"


def test_check_blocks_until_reviews_owners_and_label_are_there(high_risk: tuple[Path, str],
                                                               tmp_path: Path) -> None:
    root, rng = high_risk
    reviews = tmp_path / "reviews.json"
    reviews.write_text(json.dumps([_review("bob", "APPROVED"), _review("sec-lead", "CHANGES_REQUESTED")]))
    code, d = classify_json("--git", rng, "--repo", str(root), "--check", "--reviews", str(reviews))
    met = {v["id"]: v["met"] for v in d["verification"]}
    assert met == {"manual:1": None, "manual:2": None, "approvals": False, "codeowner_approval": False,
                   "label:canary-plan": False}
    assert (code, d["decision"], d["checked"]) == (11, "block", True)
    assert d["blocking"] == ["approvals", "codeowner_approval", "label:canary-plan"]

    # the owner approves later; the label comes with a pull request event
    reviews.write_text(json.dumps([_review("bob", "APPROVED"), _review("sec-lead", "CHANGES_REQUESTED"),
                                   _review("sec-lead", "APPROVED")]))
    event = tmp_path / "event.json"
    body = json.loads((Path(__file__).resolve().parents[2] / "../shared/real-events/github/"
                       "pull_request.closed.merged.json").read_text())
    body["pull_request"]["labels"] = [{"name": "canary-plan"}]
    event.write_text(json.dumps(body))
    code, d = classify_json("--git", rng, "--repo", str(root), "--check", "--reviews", str(reviews),
                            "--github-event", str(event))
    assert [v["met"] for v in d["verification"] if not v["id"].startswith("manual:")] == [True, True, True]
    assert (code, d["decision"]) == (0, "allow")


def test_check_without_inputs_requires_review(high_risk: tuple[Path, str]) -> None:
    root, rng = high_risk
    code, d = classify_json("--git", rng, "--repo", str(root), "--check")
    assert d["verification"][2] == {"id": "approvals", "description": "at least 2 approving review(s)",
                                    "met": None, "detail": "no reviews file (--reviews)"}
    assert (code, d["decision"]) == (11, "block")  # the missing label blocks


def test_required_ci_jobs_from_check_runs(tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('version = "t"\n[[tier]]\nname = "all"\nmin_score = 0\n'
                     'require.ci_jobs = ["unit", "canary"]\n')
    runs = tmp_path / "runs.json"
    runs.write_text(json.dumps({"check_runs": [{"name": "unit", "conclusion": "success"},
                                               {"name": "canary", "conclusion": "failure"}]}))
    code, d = classify_json("--files", "a", "--rules", str(rules), "--check", "--ci-status", str(runs))
    assert [(v["id"], v["met"], v["detail"]) for v in d["verification"]] == [
        ("ci_job:unit", True, "passed"), ("ci_job:canary", False, "not passed")]
    assert code == 11


def test_github_format_writes_capped_annotations_summary_and_outputs(tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('version = "t"\n[[category]]\nname = "any"\nglobs = ["*"]\n'
                     + "".join(f'[[rule]]\nid = "r{i}"\nweight = 1\nwhen.categories_any = ["any"]\n'
                               for i in range(14))
                     + '[[tier]]\nname = "low"\nmin_score = 0\n[[tier]]\nname = "top"\nmin_score = 5\n'
                       'decision = "block"\nrequire.labels = '
                     + json.dumps([f"l{i}" for i in range(12)]) + "\n")
    summary_file, output = tmp_path / "summary.md", tmp_path / "out.txt"
    done = run_cli("classify", "--files", "a,b%c.py", "--rules", str(rules), "--format", "github", "--check",
                   env={"GITHUB_STEP_SUMMARY": str(summary_file), "GITHUB_OUTPUT": str(output)})
    lines = done.stdout.splitlines()
    assert done.returncode == 11
    assert sum(x.startswith("::warning ") for x in lines) == MAX_ANNOTATIONS
    assert sum(x.startswith("::error ") for x in lines) == MAX_ANNOTATIONS
    assert lines[0].startswith("::warning file=a%2Cb%25c.py,title=risk rule r0::")
    assert summary_file.read_text().startswith("### Risk: **top** (score 14)")
    assert output.read_text() == "tier=top\nscore=14\ndecision=block\n"


def test_summary_is_cut_to_the_limit() -> None:
    d = {"tier": "high", "score": 1.0, "decision": "block", "change_id": "x", "rules_version": "v",
         "facts": {"files": 1, "lines_added": 0, "lines_deleted": 0}, "ai_level": "unknown", "ai": {},
         "rules_fired": [{"id": "r", "weight": 1.0, "why": ["w" * 3000]}] * 600, "services": [],
         "verification": [], "categories": [], "signals": None}
    text = summary(d)
    assert len(text.encode()) <= SUMMARY_LIMIT and text.endswith("limit)*\n")
    assert len(annotation_lines(d)) == MAX_ANNOTATIONS


def test_emit_appends_a_gate_decision_that_backfill_lands(high_risk: tuple[Path, str],
                                                          tmp_path: Path) -> None:
    root, rng = high_risk
    spool = tmp_path / "gate.ndjson"
    for _ in range(2):
        done = run_cli("classify", "--git", rng, "--repo", str(root), "--emit", str(spool))
        assert done.returncode == 10, done.stderr
    events = [json.loads(line) for line in spool.read_text().splitlines()]
    assert len(events) == 2 and events[0]["event_type"] == "gate_decision"
    assert events[0]["event_id"] == events[1]["event_id"]  # the same decision: one id
    payload = events[0]["payload"]
    assert (payload["tier"], payload["decision"], payload["gate"]) == ("high", "require_review", "ci")
    assert "iam-wildcard" in payload["rules_fired"]
    assert json.loads(payload["inputs_json"])["attributes"]["change.signals"] == "iam_wildcard"
    lake = tmp_path / "lake"
    landed = run_cli("ingest", "backfill", str(spool), "--lake", str(lake))
    assert landed.returncode == 0, landed.stderr
    query = run_cli("query", "SELECT tier, decision FROM gate_decision", "--lake", str(lake),
                    "--format", "csv")
    assert query.stdout.splitlines()[1:] == ["high,require_review"], query.stdout + query.stderr
