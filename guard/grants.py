"""Second authorization: request ids, Ed25519-signed grant tokens, single use.

A request id is a hash of the exact action (tool, its input without the description, the folder
and the session). An approver signs ``{rid, gid, iat, exp, by, kid}`` with their private key
(:func:`sign`); the token ``ag1.<payload>.<signature>`` (base64url) goes into the grants folder
(``<guard home>/grants/*.token``). The hook accepts it for that request only, before ``exp``, if
the key is one of the policy's approvers and ``exp - iat`` is within the policy's ``max_ttl``, and
only once: the grant id is recorded in ``<guard home>/used/`` (created exclusively) before the
call is allowed, and the token file is removed.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any, NamedTuple

from guard.policy import Approver

PREFIX = "ag1"
_IGNORED_INPUT = {"description", "timeout", "run_in_background"}
MAX_TOKENS = 256


class Grant(NamedTuple):
    gid: str
    approver: str
    expires: int


def request_id(tool: str, tool_input: dict[str, Any], cwd: str, session: str) -> str:
    """The id of this exact action in this folder and session."""
    action = {k: (v.strip() if isinstance(v, str) else v) for k, v in tool_input.items()
              if k not in _IGNORED_INPUT}
    canonical = json.dumps({"tool": tool, "input": action, "cwd": os.path.normpath(cwd or "/"),
                            "session": session}, sort_keys=True, separators=(",", ":"))
    return "req_" + hashlib.sha256(canonical.encode()).hexdigest()[:24]


def key_id(public_key: bytes) -> str:
    return hashlib.sha256(public_key).hexdigest()[:16]


def _b64(data: bytes) -> str:
    import base64  # here and below: not on the hook's path unless a token is read

    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(private_key_pem: bytes, rid: str, ttl_s: int, approver: str, now: float | None = None) -> str:
    """A grant token for request ``rid``, valid ``ttl_s`` seconds."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = serialization.load_pem_private_key(private_key_pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("not an Ed25519 private key")
    raw_public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    issued = int(now if now is not None else time.time())
    payload = {"rid": rid, "gid": os.urandom(12).hex(), "iat": issued, "exp": issued + ttl_s,
               "by": approver, "kid": key_id(raw_public)}
    body = _b64(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode())
    signature = key.sign(f"{PREFIX}.{body}".encode())
    return f"{PREFIX}.{body}.{_b64(signature)}"


def keygen() -> tuple[bytes, str]:
    """(private key PEM, public key as ``ed25519:<base64>`` for the policy)."""
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return pem, "ed25519:" + base64.b64encode(raw).decode()


def payload_of(token: str) -> dict[str, Any] | None:
    """The token's claims, unverified (None if it is not a token)."""
    parts = token.strip().split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        return None
    try:
        claims = json.loads(_unb64(parts[1]))
    except ValueError:
        return None
    return claims if isinstance(claims, dict) else None


def check(token: str, rid: str, approvers: tuple[Approver, ...], max_ttl_s: int,
          now: float | None = None) -> tuple[dict[str, Any] | None, str]:
    """(claims, "") when ``token`` is a valid grant of ``rid`` now, else (None, why not)."""
    claims = payload_of(token)
    if claims is None:
        return None, "not a grant token"
    if claims.get("rid") != rid:
        return None, "the grant is for another action"
    approver = next((a for a in approvers if key_id(a.key) == claims.get("kid")), None)
    if approver is None:
        return None, "the grant is signed by a key that is not an approver in the policy"
    if not _signature_ok(token, approver.key):
        return None, "the grant's signature does not verify"
    moment = time.time() if now is None else now
    issued, expires = claims.get("iat"), claims.get("exp")
    if not isinstance(issued, int) or not isinstance(expires, int) or expires - issued > max_ttl_s:
        return None, f"the grant's lifetime exceeds the policy's max_ttl ({max_ttl_s} s)"
    if moment >= expires:
        return None, "the grant expired"
    return {**claims, "by": approver.name}, ""


def _signature_ok(token: str, public_key: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    head, _, signature = token.strip().rpartition(".")
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(_unb64(signature), head.encode())
    except (InvalidSignature, ValueError):
        return False
    return True


def redeem(home: Path, rid: str, approvers: tuple[Approver, ...], max_ttl_s: int,
           now: float | None = None) -> tuple[Grant | None, str]:
    """Use the grant for ``rid`` in ``<home>/grants`` once: (grant, "") or (None, why none)."""
    folder = home / "grants"
    try:
        files = sorted(folder.glob("*.token"), key=lambda p: p.stat().st_mtime, reverse=True)[:MAX_TOKENS]
    except OSError:
        files = []
    problem = "no grant for this request"
    for path in files:
        try:
            token = path.read_text(encoding="utf-8")
        except OSError:
            continue
        claims = payload_of(token)
        if claims is None or claims.get("rid") != rid:
            continue
        valid, why = check(token, rid, approvers, max_ttl_s, now)
        if valid is None:
            problem = why
            continue
        if not _mark_used(home, str(valid["gid"])):
            problem = "the grant was already used (a grant passes one call)"
            _remove(path)
            continue
        _remove(path)
        return Grant(str(valid["gid"]), str(valid["by"]), int(valid["exp"])), ""
    return None, problem


def _mark_used(home: Path, gid: str) -> bool:
    """Record ``gid`` as used; False if it already was (the record is created exclusively)."""
    used = home / "used"
    used.mkdir(parents=True, exist_ok=True)
    if not gid.isalnum():
        return False
    try:
        fd = os.open(used / gid, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    try:
        os.write(fd, f"{int(time.time())}\n".encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return True


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass
