"""Checking a delivery is from its sender, exactly as each sender documents it, on the raw body.

Every check answers a :class:`Verdict`; none raises on a malformed, empty or wrong-length header
(that is a clean "invalid signature"). Comparisons are constant time (``hmac.compare_digest``).
Each check takes several secrets: any valid one is accepted (rotation).

- GitHub: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>``. The legacy
  ``X-Hub-Signature: sha1=...`` alone is not accepted.
- GitLab: ``X-Gitlab-Token`` equals the configured secret token.
- PagerDuty (webhooks v3): ``X-PagerDuty-Signature: v1=<hex>,v1=<hex>`` (one per active secret of
  the subscription); any ``v1`` signature matching any configured secret is accepted.
- A configured header equal to a token (Opsgenie's custom header), and ``Authorization: Bearer``
  for the sources that have no signature scheme of their own (CDEvents, Claude Code hook
  forwards, native events).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

_HEX64 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str  # what was checked, or what is wrong with it (no secret, no signature value)


VERIFIED = Verdict(True, "verified")


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), None)


def _hmac_hex(secret: bytes, body: bytes) -> str:
    return hmac.new(secret, body, hashlib.sha256).hexdigest()


def _any_hmac(secrets: Sequence[bytes], body: bytes, given: Sequence[str]) -> bool:
    """Whether any well-formed ``given`` hex digest is the HMAC-SHA256 of ``body`` under any secret."""
    expected = [_hmac_hex(secret, body) for secret in secrets]
    wellformed = [value.lower() for value in given if _HEX64.fullmatch(value.lower())]
    found = False
    for value in wellformed:
        for digest in expected:
            found |= hmac.compare_digest(value.encode(), digest.encode())
    return found


def github(headers: Mapping[str, str], body: bytes, secrets: Sequence[bytes]) -> Verdict:
    signature = _header(headers, "X-Hub-Signature-256")
    if signature is None:
        legacy = _header(headers, "X-Hub-Signature") is not None
        return Verdict(False, "X-Hub-Signature-256 missing" + (
            " (the legacy SHA-1 X-Hub-Signature is not accepted)" if legacy else ""))
    scheme, _, value = signature.strip().partition("=")
    if scheme != "sha256" or not _HEX64.fullmatch(value.lower()):
        return Verdict(False, "X-Hub-Signature-256 malformed (expected sha256=<64 hex digits>)")
    if not _any_hmac(secrets, body, [value]):
        return Verdict(False, "X-Hub-Signature-256 does not match the body")
    return VERIFIED


def pagerduty(headers: Mapping[str, str], body: bytes, secrets: Sequence[bytes]) -> Verdict:
    signature = _header(headers, "X-PagerDuty-Signature")
    if signature is None:
        return Verdict(False, "X-PagerDuty-Signature missing")
    values = [part.strip().partition("=") for part in signature.split(",") if part.strip()]
    v1 = [value for scheme, _, value in values if scheme == "v1"]
    if not v1:
        return Verdict(False, "X-PagerDuty-Signature malformed (expected v1=<64 hex digits>[,...])")
    if not _any_hmac(secrets, body, v1):
        return Verdict(False, "no v1 signature in X-PagerDuty-Signature matches the body")
    return VERIFIED


def _any_equal(given: str, tokens: Sequence[bytes]) -> bool:
    value = given.encode()
    found = False
    for token in tokens:
        found |= hmac.compare_digest(value, token)
    return found


def token_header(name: str, headers: Mapping[str, str], tokens: Sequence[bytes]) -> Verdict:
    given = _header(headers, name)
    if not given:
        return Verdict(False, f"{name} missing")
    if not _any_equal(given, tokens):
        return Verdict(False, f"{name} does not match")
    return VERIFIED


def gitlab(headers: Mapping[str, str], body: bytes, tokens: Sequence[bytes]) -> Verdict:
    return token_header("X-Gitlab-Token", headers, tokens)


def bearer(headers: Mapping[str, str], body: bytes, tokens: Sequence[bytes]) -> Verdict:
    given = _header(headers, "Authorization")
    scheme, _, token = (given or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return Verdict(False, "Authorization: Bearer <token> missing")
    if not _any_equal(token.strip(), tokens):
        return Verdict(False, "bearer token does not match")
    return VERIFIED
