"""Signature checks as each sender documents them (pure logic: no server needed)."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from receiver import signatures

SECRET = b"It's a Secret to Everybody"
VECTOR_BODY = b"Hello, World!"
VECTOR_SIG = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def test_githubs_documented_test_vector_verifies() -> None:
    verdict = signatures.github({"X-Hub-Signature-256": VECTOR_SIG}, VECTOR_BODY, [SECRET])
    assert verdict.ok, verdict.reason


def test_github_header_names_are_case_insensitive() -> None:
    assert signatures.github({"x-hub-signature-256": VECTOR_SIG}, VECTOR_BODY, [SECRET]).ok


def test_github_signature_of_another_body_or_secret_fails() -> None:
    assert not signatures.github({"X-Hub-Signature-256": VECTOR_SIG}, b"Hello, World?", [SECRET]).ok
    assert not signatures.github({"X-Hub-Signature-256": VECTOR_SIG}, VECTOR_BODY, [b"other"]).ok


def test_a_valid_legacy_sha1_signature_alone_is_not_enough() -> None:
    sha1 = "sha1=" + hmac.new(SECRET, VECTOR_BODY, hashlib.sha1).hexdigest()
    verdict = signatures.github({"X-Hub-Signature": sha1}, VECTOR_BODY, [SECRET])
    assert not verdict.ok and "legacy" in verdict.reason
    assert not signatures.github({"X-Hub-Signature-256": sha1}, VECTOR_BODY, [SECRET]).ok


def test_github_rotation_accepts_any_configured_secret() -> None:
    old = "sha256=" + hmac.new(b"old", VECTOR_BODY, hashlib.sha256).hexdigest()
    assert signatures.github({"X-Hub-Signature-256": old}, VECTOR_BODY, [b"old", SECRET]).ok
    assert signatures.github({"X-Hub-Signature-256": VECTOR_SIG}, VECTOR_BODY, [b"old", SECRET]).ok
    assert not signatures.github({"X-Hub-Signature-256": old}, VECTOR_BODY, [SECRET]).ok


@pytest.mark.parametrize("value", [
    "", "sha256=", "sha256", "=", "sha256=757107", VECTOR_SIG + "00", VECTOR_SIG[:-1],
    "sha256=" + "z" * 64, "SHA256=" + "0" * 64, "sha256= " + "0" * 63, "sha256=\u00e9" * 3,
    "sha512=" + "0" * 128,
])
def test_malformed_github_signatures_are_refused_cleanly(value: str) -> None:
    verdict = signatures.github({"X-Hub-Signature-256": value}, VECTOR_BODY, [SECRET])
    assert not verdict.ok and verdict.reason


def test_pagerduty_accepts_any_v1_signature_of_any_secret() -> None:
    body = b'{"event": {"id": "x"}}'
    new = hmac.new(b"new", body, hashlib.sha256).hexdigest()
    old = hmac.new(b"old", body, hashlib.sha256).hexdigest()
    header = {"X-PagerDuty-Signature": f"v1={old},v1={new}"}
    assert signatures.pagerduty(header, body, [b"new"]).ok
    assert signatures.pagerduty(header, body, [b"old"]).ok
    assert signatures.pagerduty({"X-PagerDuty-Signature": f"v1={new}"}, body, [b"old", b"new"]).ok
    assert not signatures.pagerduty(header, body, [b"third"]).ok
    assert not signatures.pagerduty(header, body + b" ", [b"new"]).ok


@pytest.mark.parametrize("value", ["", "v1=", "v2=" + "0" * 64, "v1=abc", ",,,", "v1", "v1=" + "g" * 64])
def test_malformed_pagerduty_signatures_are_refused_cleanly(value: str) -> None:
    verdict = signatures.pagerduty({"X-PagerDuty-Signature": value}, b"{}", [b"s"])
    assert not verdict.ok
    assert not signatures.pagerduty({}, b"{}", [b"s"]).ok


def test_gitlab_token_and_bearer_tokens_compare_whole_values() -> None:
    assert signatures.gitlab({"X-Gitlab-Token": "t1"}, b"", [b"t0", b"t1"]).ok
    for wrong in ("t", "t11", "", "T1"):
        assert not signatures.gitlab({"X-Gitlab-Token": wrong}, b"", [b"t1"]).ok
    assert not signatures.gitlab({}, b"", [b"t1"]).ok
    assert signatures.bearer({"Authorization": "Bearer t1"}, b"", [b"t1"]).ok
    assert signatures.bearer({"authorization": "bearer t1"}, b"", [b"t1"]).ok
    for wrong in ("Bearer", "Basic t1", "Bearer t2", "t1", ""):
        assert not signatures.bearer({"Authorization": wrong}, b"", [b"t1"]).ok


@settings(max_examples=300, deadline=None)
@given(header=st.text(max_size=200), body=st.binary(max_size=64))
def test_no_header_value_makes_a_check_raise(header: str, body: bytes) -> None:
    for check, name in ((signatures.github, "X-Hub-Signature-256"),
                        (signatures.pagerduty, "X-PagerDuty-Signature"),
                        (signatures.gitlab, "X-Gitlab-Token"), (signatures.bearer, "Authorization")):
        verdict = check({name: header}, body, [b"secret"])
        assert not verdict.ok
