"""Second authorization: valid, expired, wrong signer, other action, replayed, over-long; and the
whole flow through the real hook process and `aftershock approve`."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from guard import grants
from guard.policy import Approver
from tests.guard.test_hook_process import call, decision, pre, spooled

RID = grants.request_id("Bash", {"command": "terraform destroy"}, "/work/proj", "sess-1")


def approver(name: str) -> tuple[bytes, Approver]:
    pem, public = grants.keygen()
    return pem, Approver(name, base64.b64decode(public.removeprefix("ed25519:")))


def put(home: Path, token: str, name: str = "t") -> None:
    (home / "grants").mkdir(parents=True, exist_ok=True)
    (home / "grants" / f"{name}.token").write_text(token)


def test_request_id_binds_action_folder_and_session_not_the_description() -> None:
    same = grants.request_id("Bash", {"command": " terraform destroy ", "description": "x"}, "/work/proj/",
                             "sess-1")
    assert same == RID
    changed = {"command": "terraform destroy -target=a"}
    assert grants.request_id("Bash", changed, "/work/proj", "sess-1") != RID
    assert grants.request_id("Bash", {"command": "terraform destroy"}, "/work/other", "sess-1") != RID
    assert grants.request_id("Bash", {"command": "terraform destroy"}, "/work/proj", "sess-2") != RID


def test_valid_grant_passes_once(tmp_path: Path) -> None:
    pem, alice = approver("alice")
    put(tmp_path, grants.sign(pem, RID, 900, "alice"))
    grant, problem = grants.redeem(tmp_path, RID, (alice,), 3600)
    assert grant is not None and problem == "" and grant.approver == "alice"
    assert (tmp_path / "used" / grant.gid).exists()
    assert grants.redeem(tmp_path, RID, (alice,), 3600) == (None, "no grant for this request")


def test_replayed_token_is_refused(tmp_path: Path) -> None:
    pem, alice = approver("alice")
    token = grants.sign(pem, RID, 900, "alice")
    put(tmp_path, token)
    assert grants.redeem(tmp_path, RID, (alice,), 3600)[0] is not None
    put(tmp_path, token, "copy")  # the same token handed in again
    grant, problem = grants.redeem(tmp_path, RID, (alice,), 3600)
    assert grant is None and "already used" in problem


def test_expired_grant_is_refused(tmp_path: Path) -> None:
    pem, alice = approver("alice")
    put(tmp_path, grants.sign(pem, RID, 60, "alice", now=1_000_000))
    grant, problem = grants.redeem(tmp_path, RID, (alice,), 3600, now=1_000_061)
    assert grant is None and problem == "the grant expired"


def test_grant_signed_by_a_key_not_in_the_policy_is_refused(tmp_path: Path) -> None:
    pem, _ = approver("mallory")
    _, alice = approver("alice")
    put(tmp_path, grants.sign(pem, RID, 900, "alice"))
    grant, problem = grants.redeem(tmp_path, RID, (alice,), 3600)
    assert grant is None and "not an approver" in problem


def test_forged_claims_fail_the_signature(tmp_path: Path) -> None:
    pem, alice = approver("alice")
    other = grants.sign(pem, "req_000000000000000000000000", 900, "alice")
    head, body, signature = other.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["rid"] = RID
    forged_body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    put(tmp_path, f"{head}.{forged_body}.{signature}")
    grant, problem = grants.redeem(tmp_path, RID, (alice,), 3600)
    assert grant is None and "signature" in problem


def test_grant_for_another_action_is_not_used(tmp_path: Path) -> None:
    pem, alice = approver("alice")
    put(tmp_path, grants.sign(pem, "req_111111111111111111111111", 900, "alice"))
    assert grants.redeem(tmp_path, RID, (alice,), 3600) == (None, "no grant for this request")
    assert (tmp_path / "grants" / "t.token").exists()  # left for its own action


def test_lifetime_beyond_the_policy_max_is_refused(tmp_path: Path) -> None:
    pem, alice = approver("alice")
    put(tmp_path, grants.sign(pem, RID, 7200, "alice"))
    grant, problem = grants.redeem(tmp_path, RID, (alice,), 3600)
    assert grant is None and "max_ttl" in problem


def aftershock(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(Path(sys.executable).parent / "aftershock"), *args], capture_output=True,
                          text=True, env={**os.environ, "AFTERSHOCK_GUARD_HOME": str(home)}, timeout=60)


def test_end_to_end_deny_approve_retry_once(guard_home: Path, tmp_path: Path) -> None:
    key = tmp_path / "alice.pem"
    made = aftershock("approve", "--keygen", "--key", str(key), home=guard_home)
    assert made.returncode == 0, made.stderr
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    policy = tmp_path / "policy.toml"
    default = (Path(__file__).parents[2] / "guard" / "default_policy.toml").read_text()
    policy.write_text(default.replace("approvers = []", f"approvers = [ {made.stdout.strip()} ]"))
    body = pre("kubectl delete namespace payments")

    answer, reason = decision(call(body, guard_home, "--policy", str(policy)))
    assert answer == "deny"
    rid = reason.split("request ")[1].split(" ")[0]
    approved = aftershock("approve", rid, "--key", str(key), "--ttl", "10m", "--into",
                          str(guard_home / "grants"), home=guard_home)
    assert approved.returncode == 0, approved.stderr
    assert "kubectl delete namespace payments" in approved.stderr  # the approver sees the action

    other = pre("kubectl delete namespace billing")
    assert decision(call(other, guard_home, "--policy", str(policy)))[0] == "deny"
    answer, reason = decision(call(body, guard_home, "--policy", str(policy)))
    assert answer == "allow" and "approved by alice" in reason
    assert decision(call(body, guard_home, "--policy", str(policy)))[0] == "deny"  # once only

    allowed = [e for e in spooled(guard_home) if e["payload"]["decision"] == "allowed"]
    assert len(allowed) == 1
    assert allowed[0]["payload"]["authorization"] == "second_human"
    assert allowed[0]["payload"]["approvers"] == ["alice"]
    assert allowed[0]["attributes"]["grant_id"]


@pytest.mark.parametrize("args", [["approve", "nope", "--key", "k.pem"],
                                  ["approve", "req_1", "--key", "/missing/key.pem"],
                                  ["approve", "req_1", "--key", "k.pem", "--ttl", "soon"]])
def test_approve_errors_are_one_line_with_exit_2(args: list[str], guard_home: Path, tmp_path: Path) -> None:
    pem, _ = grants.keygen()
    (tmp_path / "k.pem").write_bytes(pem)
    done = subprocess.run([str(Path(sys.executable).parent / "aftershock"), *args], capture_output=True,
                          text=True, cwd=tmp_path,
                          env={**os.environ, "AFTERSHOCK_GUARD_HOME": str(guard_home)})
    assert done.returncode == 2
    assert done.stderr.startswith("aftershock: ") and done.stderr.count("\n") == 1
