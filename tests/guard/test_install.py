"""`aftershock hook install claude-code` merges into settings.json; `hook test` explains."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def aftershock(*args: str, home: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOME": str(home)} if home else dict(os.environ)
    return subprocess.run([str(BIN / "aftershock"), *args], capture_output=True, text=True, env=env,
                          timeout=60)


def test_install_keeps_what_is_there_and_uninstall_removes_only_ours(tmp_path: Path) -> None:
    settings = tmp_path / ".claude" / "settings.json"
    settings.parent.mkdir()
    theirs = {"matcher": "Bash", "hooks": [{"type": "command", "command": "./my-linter.sh"}]}
    settings.write_text(json.dumps({"model": "opus", "permissions": {"allow": ["Bash(npm test)"]},
                                    "hooks": {"PreToolUse": [theirs], "Stop": [theirs]}}))
    for _ in range(2):  # idempotent
        done = aftershock("hook", "install", "claude-code", "--project", "--dir", str(tmp_path))
        assert done.returncode == 0, done.stderr
    data = json.loads(settings.read_text())
    assert data["model"] == "opus" and data["permissions"] == {"allow": ["Bash(npm test)"]}
    assert data["hooks"]["Stop"] == [theirs]
    assert data["hooks"]["PreToolUse"][0] == theirs and len(data["hooks"]["PreToolUse"]) == 2
    ours = data["hooks"]["PreToolUse"][1]["hooks"][0]
    assert ours["command"].split()[0] == str(BIN / "aftershock-hook") and ours["timeout"] == 10
    assert set(data["hooks"]) == {"PreToolUse", "PostToolUse", "PostToolUseFailure", "PermissionDenied",
                                  "Stop"}
    hook_input = json.dumps({"hook_event_name": "PreToolUse", "tool_name": "Bash", "cwd": str(tmp_path),
                             "tool_input": {"command": "git clean -fdx"}, "session_id": "s"})
    answered = subprocess.run(ours["command"], shell=True, input=hook_input, capture_output=True,  # noqa: S602
                              text=True, env={**os.environ, "AFTERSHOCK_GUARD_HOME": str(tmp_path / "g")})
    assert json.loads(answered.stdout)["hookSpecificOutput"]["permissionDecision"] == "deny"

    assert aftershock("hook", "install", "claude-code", "--dir", str(tmp_path), "--uninstall").returncode == 0
    data = json.loads(settings.read_text())
    assert data["hooks"] == {"PreToolUse": [theirs], "Stop": [theirs]}


def test_user_install_writes_the_home_settings(tmp_path: Path) -> None:
    done = aftershock("hook", "install", "claude-code", "--user", home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "PreToolUse" in json.loads((tmp_path / ".claude" / "settings.json").read_text())["hooks"]


def test_install_refuses_to_overwrite_broken_settings(tmp_path: Path) -> None:
    settings = tmp_path / ".claude" / "settings.json"
    settings.parent.mkdir()
    settings.write_text("{not json")
    done = aftershock("hook", "install", "claude-code", "--dir", str(tmp_path))
    assert done.returncode == 2
    assert done.stderr.startswith("aftershock: cannot read settings (") and done.stderr.count("\n") == 1
    assert settings.read_text() == "{not json"


def test_hook_test_prints_tier_decision_and_why() -> None:
    done = aftershock("hook", "test", "sudo env X=1 bash -c 'kubectl delete ns payments'", "--cwd", "/work/p")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["tier", "destructive"]
    assert lines[1].split() == ["decision", "grant"]
    assert "kubectl-delete" in done.stdout and "tiers.destructive" in lines[2]
