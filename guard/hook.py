"""``aftershock-hook claude-code`` (also ``python -m guard.hook`` and ``aftershock hook claude-code``):
the Claude Code hook.

Reads the hook input (JSON) on stdin. PreToolUse: judges the call under the policy and answers on
stdout ``{"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "allow" |
"deny" | "ask", "permissionDecisionReason": ...}}`` with exit 0, or prints nothing (no opinion:
Claude Code's own permissions apply). PostToolUse, PostToolUseFailure and PermissionDenied are
recorded only. Every decision is appended to the spool before the answer.

Never a traceback: input that is not a hook call, an internal error or the time budget running
out end as exit 2 (blocking, the message on stderr goes to the model) unless the tool only reads,
which then passes. Kept lean: no pydantic, DuckDB, pyarrow or Kafka client is imported here.
"""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path
from typing import IO, Any, NoReturn

MAX_INPUT = 4 * 1024 * 1024
BUDGET_S = 5.0
_READ_ONLY_TOOLS = {"Read", "Grep", "Glob", "LS", "WebSearch", "WebFetch", "NotebookRead", "TodoRead",
                    "BashOutput"}


class _OutOfTime(Exception):
    pass


class _Crashed(Exception):
    pass


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    policy: str | None = None
    if "--policy" in args:
        at = args.index("--policy")
        policy = args[at + 1] if at + 1 < len(args) else None
        del args[at:at + 2]
    if args not in ([], ["claude-code"]):
        print("aftershock: usage (aftershock-hook): aftershock-hook claude-code [--policy FILE]; "
              "the hook input comes on stdin", file=sys.stderr)
        return 2
    return run(sys.stdin.buffer, sys.stdout, sys.stderr, policy)


def entry() -> NoReturn:
    """The ``aftershock-hook`` script and ``python -m guard.hook``: :func:`main`, then leave without
    tearing the interpreter down. The decision is spooled and fsync'd and the answer written by then;
    finalizing every module would only add to each tool call's wait."""
    import os

    code = 2  # anything escaping main (an interrupt) still blocks the call
    try:
        code = main()
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


def run(stdin: IO[bytes], stdout: IO[str], stderr: IO[str], policy: str | None = None) -> int:
    """Answer one hook call; the exit code per Claude Code's hook protocol."""
    hook_input: dict[str, Any] = {}
    previous = _arm(BUDGET_S)
    try:
        raw = stdin.read(MAX_INPUT + 1)
        if len(raw) > MAX_INPUT:
            return _blocked(stderr, hook_input, f"hook input larger than {MAX_INPUT} bytes")
        loaded = json.loads(raw)
        if not isinstance(loaded, dict):
            return _blocked(stderr, hook_input, "hook input is not a JSON object")
        hook_input = loaded
        code, out, err = _in_process(hook_input, policy) or _isolated(hook_input, policy)
        stdout.write(out)
        stdout.flush()
        stderr.write(err)
        return code
    except _Crashed as exc:
        return _blocked(stderr, hook_input, f"the guard's process died ({exc})")
    except _OutOfTime:
        return _blocked(stderr, hook_input, f"no decision within {BUDGET_S:.0f} s")
    except ValueError as exc:
        return _blocked(stderr, hook_input, f"hook input is not JSON ({exc})")
    except Exception as exc:  # noqa: BLE001 - every failure must end as a decision
        return _blocked(stderr, hook_input, f"internal error {type(exc).__name__}: {exc}")
    finally:
        _disarm(previous)


def _in_process(hook_input: dict[str, Any], policy: str | None) -> tuple[int, str, str] | None:
    """Answer here when no native parser is needed (plain commands, other tools); None when the
    text needs the parser. Nothing is recorded or written before the parse, so the answer can then
    be computed again, isolated."""
    import io

    from guard import shell

    out, err = io.StringIO(), io.StringIO()
    shell.allow_native(False)
    try:
        code = _answer(hook_input, out, err, policy)
    except shell.NeedsParser:
        return None
    finally:
        shell.allow_native(True)
    return code, out.getvalue(), err.getvalue()


def _isolated(hook_input: dict[str, Any], policy: str | None) -> tuple[int, str, str]:
    """Answer in a forked child, so that even a crash of native code (the parser) ends as a
    decision here rather than as a non-blocking hook error, which would let the call run."""
    import io
    import os

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer, hand back (code, stdout, stderr), never return
        os.close(read_end)
        code = 2
        out, err = io.StringIO(), io.StringIO()
        try:
            code = _answer(hook_input, out, err, policy)
        except Exception as exc:  # noqa: BLE001 - reported to the parent as a blocked call
            code = _blocked(err, hook_input, f"internal error {type(exc).__name__}: {exc}")
        finally:
            os.write(write_end, json.dumps([code, out.getvalue(), err.getvalue()]).encode())
            os._exit(0)
    os.close(write_end)
    try:
        with os.fdopen(read_end, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(pid, 0)
    except BaseException:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise
    if not data:
        raise _Crashed(f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else "no answer")
    code, out, err = json.loads(data)
    return int(code), str(out), str(err)


def _arm(seconds: float) -> Any:
    def expired(signum: int, frame: Any) -> None:
        raise _OutOfTime

    try:
        previous = signal.signal(signal.SIGALRM, expired)
    except ValueError:  # not the main thread (in-process tests)
        return None
    signal.setitimer(signal.ITIMER_REAL, seconds)
    return previous


def _disarm(previous: Any) -> None:
    if previous is not None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _blocked(stderr: IO[str], hook_input: dict[str, Any], problem: str) -> int:
    """Fail safe: a read-only tool passes; anything else is blocked (exit 2, stderr to the model)."""
    if hook_input.get("tool_name") in _READ_ONLY_TOOLS or (
            hook_input and hook_input.get("hook_event_name") != "PreToolUse"):
        return 0
    print(f"aftershock: guard could not decide ({problem}): the call is blocked; "
          "retry it, or ask the user to check the hook", file=stderr)
    return 2


def _answer(hook_input: dict[str, Any], stdout: IO[str], stderr: IO[str], policy: str | None) -> int:
    from guard import spool
    from guard.event import RECORDED, Decision, build

    event = str(hook_input.get("hook_event_name", ""))
    if event in RECORDED:
        _record(spool, build(hook_input, Decision(tier=_recorded_tier(hook_input, policy))), stderr)
        return 0
    if event != "PreToolUse":
        return 0
    if not isinstance(hook_input.get("tool_name"), str) or not isinstance(hook_input.get("tool_input"), dict):
        return _blocked(stderr, hook_input, "PreToolUse without tool_name and tool_input")
    decision = _decide(hook_input, policy, spool.home())
    _record(spool, build(hook_input, decision), stderr)
    return _respond(decision, stdout)


def _recorded_tier(hook_input: dict[str, Any], policy_arg: str | None) -> str:
    from guard import policy
    from guard.judge import judge

    tool, tool_input = hook_input.get("tool_name"), hook_input.get("tool_input")
    if not isinstance(tool, str) or not isinstance(tool_input, dict):
        return "mutate"
    loaded = policy.load_or_fail_safe(policy.resolve_path(policy_arg))
    return judge(loaded, tool, tool_input, str(hook_input.get("cwd") or "/"))[0].tier


def _decide(hook_input: dict[str, Any], policy_arg: str | None, home: Path) -> Any:
    import os

    from guard import policy
    from guard.event import Decision
    from guard.judge import judge

    path = policy.resolve_path(policy_arg)
    loaded = policy.load_or_fail_safe(path)
    tool, tool_input = hook_input["tool_name"], hook_input["tool_input"]
    cwd = str(hook_input.get("cwd") or "/")
    verdict, _ = judge(loaded, tool, tool_input, cwd, agent=os.environ.get("AFTERSHOCK_GUARD_AGENT",
                                                                            "claude-code"),
                       environment=os.environ.get("AFTERSHOCK_GUARD_ENVIRONMENT"))
    finding = verdict.finding
    reason = (f"{verdict.tier} ({finding.label}: {finding.what}); "
              f"policy rule '{verdict.rule}': {verdict.reason}")
    if loaded.broken:
        reason = f"policy {path} is broken ({loaded.broken}); the fail-safe policy applies: {reason}"
    decision = Decision(action=verdict.action, tier=verdict.tier, label=finding.label, rule=verdict.rule,
                        reason=reason, policy=str(path) if not loaded.broken else "fail-safe")
    if verdict.action == "grant":
        return _second_authorization(hook_input, decision, loaded, home)
    return decision


def _second_authorization(hook_input: dict[str, Any], decision: Any, loaded: Any, home: Path) -> Any:
    from guard import grants

    rid = grants.request_id(hook_input["tool_name"], hook_input["tool_input"],
                            str(hook_input.get("cwd") or "/"), str(hook_input.get("session_id") or ""))
    grant, problem = grants.redeem(home, rid, loaded.approvers, loaded.max_ttl_s)
    if grant is not None:
        return decision._replace(action="allow", request_id=rid, grant_id=grant.gid,
                                   approver=grant.approver,
                                   reason=f"{decision.reason}; approved by {grant.approver} "
                                   f"(grant {grant.gid})")
    _note_request(home, rid, hook_input, decision)
    how = (f"Second authorization required: request {rid} ({problem}). An approver runs "
           f"`aftershock approve {rid} --key THEIR_KEY --into {home / 'grants'}`; then retry exactly "
           "the same call.")
    if not loaded.approvers:
        how += " The policy lists no approvers yet ([grants] approvers), so no grant can be given."
    return decision._replace(request_id=rid, reason=f"{decision.reason}. {how}")


def _note_request(home: Path, rid: str, hook_input: dict[str, Any], decision: Any) -> None:
    """Keep the pending action so ``aftershock approve`` can show the approver what they approve."""
    try:
        folder = home / "requests"
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        note = {"request_id": rid, "tool_name": hook_input.get("tool_name"),
                "tool_input": hook_input.get("tool_input"), "cwd": hook_input.get("cwd"),
                "session_id": hook_input.get("session_id"), "tier": decision.tier, "label": decision.label}
        (folder / f"{rid}.json").write_text(json.dumps(note, indent=1), encoding="utf-8")
    except OSError:
        pass  # only a convenience for the approver


def _record(spool: Any, event: dict[str, Any], stderr: IO[str]) -> None:
    try:
        spool.append(spool.home() / "spool", event)
    except OSError as exc:
        print(f"aftershock: decision not recorded ({spool.home() / 'spool'}): {exc}", file=stderr)


def _respond(decision: Any, stdout: IO[str]) -> int:
    answer = {"allow": "allow", "ask": "ask", "deny": "deny", "grant": "deny"}.get(decision.action)
    if answer is None:
        return 0  # pass: no opinion
    reason = f"aftershock guard: {decision.reason}"
    stdout.write(json.dumps({"hookSpecificOutput": {"hookEventName": "PreToolUse",
                                                    "permissionDecision": answer,
                                                    "permissionDecisionReason": reason}}))
    stdout.write("\n")
    stdout.flush()
    return 0


if __name__ == "__main__":
    entry()
