"""``aftershock classify`` on real git repositories and the real webhook payloads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.gate.conftest import classify_json, run_cli
from tests.gate.gitrepo import commit, init

CATALOG = """
[[services]]
name = "payments"
repositories = ["acme/payments"]
criticality = 1
[[services]]
name = "checkout"
repositories = ["acme/checkout"]
depends_on = ["payments"]
[[services]]
name = "storefront"
repositories = ["acme/storefront"]
depends_on = ["checkout"]
criticality = 2
"""

POLICY_BEFORE = '{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}\n'
POLICY_AFTER = '{"Statement": [{"Effect": "Allow",\n  "Action": "*",\n  "Resource": "*"}]}\n'


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, str, str]:
    root = tmp_path / "payments"
    init(root)
    base = commit(root, {"iam/policies/app.json": POLICY_BEFORE, "src/app.py": "print(1)\n",
                         "README.md": "hi\n"}, "initial")
    commit(root, {"iam/policies/app.json": POLICY_AFTER}, "Open up the app policy")
    head = commit(root, {"migrations/0002_drop.sql": "DROP TABLE legacy_orders;\n", "README.md": None},
                  "Drop legacy orders\n\nCo-authored-by: Claude <noreply@anthropic.com>\n")
    return root, base, head


def test_git_range_scores_paths_diff_services_and_attribution(repo: tuple[Path, str, str],
                                                               tmp_path: Path) -> None:
    root, base, head = repo
    catalog = tmp_path / "catalog.toml"
    catalog.write_text(CATALOG)
    code, d = classify_json("--git", f"{base}..{head}", "--repo", str(root), "--catalog", str(catalog))
    assert d["change_id"] == f"acme/payments@{head}"
    assert [c["name"] for c in d["categories"]] == ["iam_policy", "data_migration", "docs"]
    assert [s["name"] for s in d["signals"]] == ["iam_wildcard", "irreversible_migration"]
    assert d["signals"][0]["paths"] == ["iam/policies/app.json"]
    assert d["services"] == [{"name": "payments", "criticality": 1, "files": 3,
                              "dependents": ["checkout", "storefront"]}]
    assert (d["criticality"], d["dependents"]) == (1, 2)
    fired = {r["id"]: r for r in d["rules_fired"]}
    assert set(fired) == {"iam-touch", "migration-touch", "iam-wildcard", "irreversible-migration",
                          "critical-service"}
    assert fired["iam-wildcard"]["why"] == ["iam_wildcard in iam/policies/app.json"]
    assert d["score"] == 3 + 2 + 3 + 3 + 1 and d["tier"] == "high"
    assert d["decision"] == "require_review" and code == 10
    assert d["ai_level"] == "co_authored" and d["ai"]["tool"] == "claude-code"
    assert d["facts"]["lines_added"] == 4 and d["facts"]["lines_deleted"] == 2
    ids = [v["id"] for v in d["verification"]]
    assert ids == ["manual:1", "manual:2", "approvals", "codeowner_approval", "label:canary-plan"]


def test_output_is_deterministic_and_every_format_renders(repo: tuple[Path, str, str]) -> None:
    root, base, head = repo
    args = ("classify", "--git", f"{base}..{head}", "--repo", str(root))
    first, second = run_cli(*args, "--format", "json"), run_cli(*args, "--format", "json")
    assert first.stdout == second.stdout and first.returncode == 10
    text = run_cli(*args).stdout
    assert "tier high" in text and "rule iam-wildcard (+3): iam_wildcard in iam/policies/app.json" in text
    md = run_cli(*args, "--format", "markdown").stdout
    assert md.startswith("### Risk: **high**") and "| `iam-wildcard` | 3 |" in md
    assert "- [ ] at least 2 approving review(s)" in md


def test_low_risk_change_is_allowed_with_exit_0(tmp_path: Path) -> None:
    root = tmp_path / "r"
    init(root)
    base = commit(root, {"src/app.py": "a = 1\n"}, "one")
    head = commit(root, {"src/app.py": "a = 2\n", "docs/x.md": "doc\n"}, "two")
    code, d = classify_json("--git", f"{base}..{head}", "--repo", str(root))
    assert (code, d["tier"], d["decision"], d["rules_fired"]) == (0, "low", "allow", [])
    assert d["signals"] == [] and d["dependents"] is None and d["criticality"] is None


def test_files_only_reads_no_diff() -> None:
    code, d = classify_json("--files", "iam/x.json", ".github/workflows/ci.yml", "--repository", "acme/a")
    assert d["signals"] is None and d["facts"]["diff_read"] is False
    assert [r["id"] for r in d["rules_fired"]] == ["iam-touch", "deploy-logic-touch"] and code == 10


def test_real_github_pull_request_event(real_events: Path) -> None:
    event = real_events / "github" / "pull_request.closed.merged.json"
    body = json.loads(event.read_text())
    code, d = classify_json("--github-event", str(event))
    pr = body["pull_request"]
    assert d["change_id"] == f"{body['repository']['full_name']}#{pr['number']}"
    assert d["facts"]["kind"] == "revert"  # the title starts with "Revert "
    assert d["facts"]["author"] == pr["user"]["login"]
    assert d["facts"]["lines_added"] == pr["additions"] and d["signals"] is None
    # the same event from $GITHUB_EVENT_PATH, as in a workflow
    done = run_cli("classify", "--format", "json", env={"GITHUB_EVENT_PATH": str(event)})
    assert json.loads(done.stdout) == d and done.returncode == code


@pytest.mark.parametrize("name", ["merge_request.opened.json", "merge_request.merged.json"])
def test_real_gitlab_merge_request_events(real_events: Path, name: str) -> None:
    event = real_events / "gitlab" / name
    body = json.loads(event.read_text())
    _, d = classify_json("--gitlab-event", str(event), "--files", "deploy/app.yaml")
    assert d["change_id"] == f"{body['project']['path_with_namespace']}!{body['object_attributes']['iid']}"
    assert [c["name"] for c in d["categories"]] == ["deploy_logic"]
    assert d["ai_level"] in ("unknown", "none", "suggested", "co_authored", "agent_authored")


def test_a_push_event_from_the_environment_is_ignored_next_to_git(repo: tuple[Path, str, str],
                                                                  real_events: Path) -> None:
    root, base, head = repo
    push = real_events / "github" / "push.single-commit.json"
    code, d = classify_json("--git", f"{base}..{head}", "--repo", str(root),
                            env={"GITHUB_EVENT_PATH": str(push)})
    assert d["change_id"] == f"acme/payments@{head}"


@pytest.mark.parametrize(("args", "message"), [
    ((), "nothing to classify"),
    (("--git", "nope..HEAD", "--repo", "."), "git diff"),
    (("--github-event", "missing.json"), "GitHub event missing.json: cannot read"),
    (("--files", "x", "--rules", "missing.toml"), "rules file missing.toml"),
    (("--files", "x", "--catalog", "missing.toml"), "service catalog missing.toml"),
])
def test_bad_input_is_one_line_exit_2(args: tuple[str, ...], message: str, tmp_path: Path) -> None:
    done = run_cli("classify", *args, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("aftershock: ") and message in lines[0], lines


def test_not_a_pull_request_event_is_exit_4(real_events: Path) -> None:
    done = run_cli("classify", "--github-event", str(real_events / "github" / "push.single-commit.json"))
    assert done.returncode == 4 and "$.pull_request" in done.stderr
