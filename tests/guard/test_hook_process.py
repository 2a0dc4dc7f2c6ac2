"""``aftershock-hook claude-code`` (and ``aftershock hook claude-code``) as a real subprocess: the
real hook payloads, stdout JSON and exit codes per Claude Code's protocol, and the spool."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REAL_EVENTS

HOOKS = REAL_EVENTS / "claude-code-hooks"
BIN = Path(sys.executable).parent


def call(hook_input: Any, home: Path, *extra: str, raw: bytes | None = None,
         entry: str = "aftershock-hook",
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    data = raw if raw is not None else json.dumps(hook_input).encode()
    command = [str(BIN / entry), *( ["hook"] if entry == "aftershock" else []), "claude-code", *extra]
    environment = {**os.environ, "AFTERSHOCK_GUARD_HOME": str(home), **(env or {})}
    done = subprocess.run(command, input=data, capture_output=True, env=environment, timeout=60)
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(), done.stderr.decode())


def pre(command: str, cwd: str = "/work/proj", **more: Any) -> dict[str, Any]:
    return {"session_id": "sess-1", "transcript_path": "/tmp/t.jsonl", "cwd": cwd,
            "permission_mode": "default", "hook_event_name": "PreToolUse", "tool_name": "Bash",
            "tool_input": {"command": command, "description": "d"}, "tool_use_id": "toolu_1", **more}


def decision(done: subprocess.CompletedProcess[str]) -> tuple[str, str]:
    out = json.loads(done.stdout)["hookSpecificOutput"]
    assert out["hookEventName"] == "PreToolUse"
    return out["permissionDecision"], out["permissionDecisionReason"]


def spooled(home: Path) -> list[dict[str, Any]]:
    path = home / "spool" / "decisions.ndjson"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.mark.parametrize("payload", sorted(p.name for p in HOOKS.glob("*.json")))
def test_every_real_payload_is_answered_without_error(payload: str, guard_home: Path) -> None:
    body = json.loads((HOOKS / payload).read_text())
    done = call(body, guard_home)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""  # npm test, echo hi: no opinion; other events: recorded only
    events = spooled(guard_home)
    if body["hook_event_name"] in ("PreToolUse", "PostToolUse", "PostToolUseFailure", "PermissionDenied"):
        assert len(events) == 1
        assert events[0]["attributes"]["hook_event_name"] == body["hook_event_name"]
        assert events[0]["payload"]["gen_ai_tool_name"] == body["tool_name"]
    else:
        assert events == []


def test_real_permission_denied_payload_is_recorded_as_blocked(guard_home: Path) -> None:
    call(json.loads((HOOKS / "PermissionDenied.Bash.json").read_text()), guard_home)
    payload = spooled(guard_home)[0]["payload"]
    assert (payload["decision"], payload["outcome"]) == ("denied", "blocked")
    assert payload["consequence_tier"] == "destructive"  # rm -rf /tmp/build
    assert payload["error_message"] == "Blocked by classifier"


def test_destructive_command_is_denied_with_a_reason_and_spooled(guard_home: Path) -> None:
    done = call(pre("sudo bash -c 'rm -rf /'"), guard_home)
    assert done.returncode == 0
    answer, reason = decision(done)
    assert answer == "deny"
    assert "rm-recursive-root" in reason and "rm -rf /" in reason
    event = spooled(guard_home)[0]
    assert event["payload"]["decision"] == "denied" and event["payload"]["outcome"] == "blocked"
    assert event["payload"]["consequence_tier"] == "destructive"
    assert event["payload"]["command"] == "sudo bash -c 'rm -rf /'"
    assert event["attributes"]["guard_rule"].startswith("never")


def test_grant_tier_denies_with_a_request_id(guard_home: Path) -> None:
    answer, reason = decision(call(pre("terraform destroy"), guard_home))
    assert answer == "deny"
    assert "req_" in reason and "aftershock approve" in reason
    assert spooled(guard_home)[0]["attributes"]["request_id"] in reason


def test_ask_and_pass(guard_home: Path) -> None:
    assert decision(call(pre("kubectl apply -f k8s/api.yaml"), guard_home))[0] == "ask"
    assert call(pre("ls -la"), guard_home).stdout == ""
    assert [e["payload"]["decision"] for e in spooled(guard_home)] == ["asked", "allowed"]


def test_allow_only_where_the_policy_says(guard_home: Path, tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text('[tiers]\nread = "allow"\npropose = "pass"\nmutate = "pass"\n'
                      'mutate_config = "ask"\ndestructive = "deny"\n')
    answer, _ = decision(call(pre("git status"), guard_home, "--policy", str(policy)))
    assert answer == "allow"
    assert call(pre("npm test"), guard_home, "--policy", str(policy)).stdout == ""
    assert spooled(guard_home)[0]["payload"]["authorization"] == "policy"


def test_edit_of_the_agent_settings_is_denied(guard_home: Path) -> None:
    body = pre("x") | {"tool_name": "Write",
                       "tool_input": {"file_path": "/work/proj/.claude/settings.json", "content": "{}"}}
    answer, reason = decision(call(body, guard_home))
    assert answer == "deny" and "protected-path" in reason


def test_mcp_tools_by_name(guard_home: Path) -> None:
    body = pre("x") | {"tool_name": "mcp__github__delete_repository", "tool_input": {"repo": "a/b"}}
    assert decision(call(body, guard_home))[0] == "deny"  # destructive -> grant -> denied until approved
    body = pre("x") | {"tool_name": "mcp__github__list_issues", "tool_input": {}}
    assert call(body, guard_home).stdout == ""


def test_broken_policy_fails_safe_and_says_why(guard_home: Path, tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text('[tiers]\nread = "pass"\ndestructive = "alow"\n')
    answer, reason = decision(call(pre("kubectl delete ns x"), guard_home, "--policy", str(policy)))
    assert answer == "deny"
    assert "broken" in reason and "tiers" in reason
    assert call(pre("cat README.md"), guard_home, "--policy", str(policy)).stdout == ""


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b"", b'{"hook_event_name": "PreToolUse"}'])
def test_unusable_input_blocks_with_exit_2_and_one_line(raw: bytes, guard_home: Path) -> None:
    done = call(None, guard_home, raw=raw)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("aftershock: guard could not decide (") and done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr


def test_unusable_input_for_a_read_only_tool_passes(guard_home: Path) -> None:
    body = {"hook_event_name": "PreToolUse", "tool_name": "Read", "tool_input": "not an object"}
    done = call(body, guard_home)
    assert (done.returncode, done.stdout) == (0, "")


@pytest.mark.parametrize(("command", "expected", "label"), [
    ("$(" * 6000, "ask", "unparsable"),  # a syntax error: the fallback tier (mutate_config -> ask)
    ("bash -c '" * 1500 + "x", "ask", "interactive-shell"),
    ("eval " + "'eval " * 40 + "x", "deny", "over-budget"),  # nested deeper than the limit
    ("a" * 200_000, "deny", "over-budget"),  # too long to inspect: the over-budget tier
    ("a | " * 6000 + "b", "deny", "over-budget"),
])
def test_pathological_commands_are_decided(command: str, expected: str, label: str,
                                           guard_home: Path) -> None:
    done = call(pre(command), guard_home)
    assert done.returncode == 0, done.stderr
    assert decision(done)[0] == expected
    assert spooled(guard_home)[0]["attributes"]["guard_label"] == label


def test_code_points_that_crash_the_grammar_do_not_crash_the_hook(guard_home: Path) -> None:
    done = call(pre("{\U000e0000; rm -rf /"), guard_home)
    assert done.returncode == 0, done.stderr
    assert decision(done)[0] == "deny"


def test_the_full_command_line_entry_answers_the_same(guard_home: Path) -> None:
    done = call(pre("git reset --hard"), guard_home, entry="aftershock")
    assert done.returncode == 0, done.stderr
    assert decision(done)[0] == "deny"


def test_python_dash_m_entry(guard_home: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "guard.hook", "claude-code"], capture_output=True,
                          input=json.dumps(pre("helm uninstall api")).encode(), timeout=60,
                          env={**os.environ, "AFTERSHOCK_GUARD_HOME": str(guard_home)})
    assert done.returncode == 0
    assert json.loads(done.stdout)["hookSpecificOutput"]["permissionDecision"] == "deny"


def test_a_native_crash_in_the_answering_process_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    from guard import hook

    def crash(*args: Any) -> int:
        import faulthandler

        faulthandler.disable()  # the crash is the point: no dump on the test's output
        os.kill(os.getpid(), signal.SIGSEGV)
        return 0

    monkeypatch.setattr(hook, "_answer", crash)
    with pytest.raises(hook._Crashed, match="signal 11"):
        hook._isolated(pre("ls"), None)


def test_the_hook_path_imports_nothing_heavy(guard_home: Path) -> None:
    probe = ("import io, json, sys\nfrom guard import hook\n"
             f"sys.stdin = io.TextIOWrapper(io.BytesIO({json.dumps(pre('rm -rf src')).encode()!r}))\n"
             "hook._isolated = lambda i, p: (hook._answer(i, io.StringIO(), io.StringIO(), p), '', '')\n"
             "hook.run(sys.stdin.buffer, io.StringIO(), io.StringIO())\n"
             "heavy = {'pydantic', 'pydantic_core', 'duckdb', 'pyarrow', 'kafka', 'numpy', 'cryptography'}\n"
             "print(json.dumps(sorted(heavy & {m.split('.')[0] for m in sys.modules})))\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         env={**os.environ, "AFTERSHOCK_GUARD_HOME": str(guard_home)})
    assert json.loads(out.stdout) == []
    assert len(spooled(guard_home)) == 1


@pytest.mark.parametrize(("command", "isolated"), [
    ("rm -rf src", False),  # plain: split without the parser, answered in the hook's process
    ("git push --force origin main", False),
    ('rm -rf "src"', True),  # quoting: the native parser runs, in the forked child only
    ("echo rm -rf src | sh", True),
])
def test_only_text_that_needs_the_parser_is_answered_in_a_child(command: str, isolated: bool,
                                                                guard_home: Path) -> None:
    probe = ("import io, json, sys\nfrom guard import hook\n"
             f"sys.stdin = io.TextIOWrapper(io.BytesIO({json.dumps(pre(command)).encode()!r}))\n"
             "forked, isolated = [], hook._isolated\n"
             "hook._isolated = lambda i, p: forked.append(1) or isolated(i, p)\n"
             "out = io.StringIO()\n"
             "code = hook.run(sys.stdin.buffer, out, io.StringIO())\n"
             "answer = json.loads(out.getvalue())['hookSpecificOutput']['permissionDecision']\n"
             "print(json.dumps([code, answer, len(forked), 'tree_sitter' in sys.modules]))\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         env={**os.environ, "AFTERSHOCK_GUARD_HOME": str(guard_home)})
    code, answer, forks, parser_loaded = json.loads(out.stdout)
    assert (code, answer) == (0, "deny" if "push" in command else "ask")
    assert (forks, parser_loaded) == ((1, False) if isolated else (0, False))
    assert len(spooled(guard_home)) == 1  # the attempt in the hook's process recorded nothing


@pytest.mark.parametrize("command", ["ls -la", 'ls "src"'])  # answered in-process / in the child
def test_a_decision_stuck_past_the_budget_blocks(command: str, guard_home: Path) -> None:
    import fcntl

    spool_dir = guard_home / "spool"
    spool_dir.mkdir(parents=True)
    with open(spool_dir / "decisions.ndjson", "ab") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # the hook cannot record, so it cannot answer in time
        done = call(pre(command), guard_home)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "no decision within 5 s" in done.stderr
