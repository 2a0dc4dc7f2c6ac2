"""Decisions that depend on the place: the branch checked out, the workspace, the home folder."""

from __future__ import annotations

from pathlib import Path

from guard.judge import judge
from guard.policy import Policy


def decide(policy: Policy, command: str, cwd: Path, home: str = "/home/dev") -> str:
    return judge(policy, "Bash", {"command": command}, str(cwd), home=home)[0].action


def test_force_with_lease_without_a_refspec_uses_the_branch_checked_out(default_policy: Policy,
                                                                         tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref: refs/heads/feature/login\n")
    (tmp_path / "src").mkdir()
    assert decide(default_policy, "git push --force-with-lease", tmp_path / "src") == "ask"
    (tmp_path / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    assert decide(default_policy, "git push --force-with-lease", tmp_path / "src") == "grant"
    assert decide(default_policy, "git -C .. push --force-with-lease", tmp_path / "src") == "grant"


def test_worktree_git_file_points_to_its_head(default_policy: Policy, tmp_path: Path) -> None:
    gitdir = tmp_path / "main-repo" / ".git" / "worktrees" / "wt"
    gitdir.mkdir(parents=True)
    (gitdir / "HEAD").write_text("ref: refs/heads/topic\n")
    worktree = tmp_path / "wt"
    worktree.mkdir()
    (worktree / ".git").write_text(f"gitdir: {gitdir}\n")
    assert decide(default_policy, "git push --force-with-lease", worktree) == "ask"


def test_the_same_delete_depends_on_where_it_runs(default_policy: Policy) -> None:
    assert decide(default_policy, "rm -rf build", Path("/work/proj")) == "pass"
    assert decide(default_policy, "rm -rf build", Path("/home/dev")) == "pass"  # the workspace is home
    assert decide(default_policy, "rm -rf ~/build", Path("/work/proj")) == "grant"
    assert decide(default_policy, "cd .. && rm -rf proj", Path("/work/proj")) == "deny"
    assert decide(default_policy, "(cd /tmp && rm -rf x)", Path("/work/proj")) == "ask"
    assert decide(default_policy, "bash -c 'cd / && rm -rf tmp/x'", Path("/work/proj")) == "ask"


def test_file_tools_by_path(default_policy: Policy) -> None:
    def edit(path: str) -> str:
        return judge(default_policy, "Edit", {"file_path": path, "old_string": "a", "new_string": "b"},
                     "/work/proj", home="/home/dev")[0].action

    assert edit("/work/proj/src/app.py") == "pass"
    assert edit("src/app.py") == "pass"
    assert edit("/work/proj/.github/workflows/ci.yml") == "ask"
    assert edit("/work/proj/db/migrate/001.rb") == "ask"
    assert edit("/work/proj/.claude/settings.local.json") == "deny"
    assert edit("/home/dev/.claude/settings.json") == "deny"
    assert edit("/home/dev/.aftershock/guard/policy.toml") == "deny"
