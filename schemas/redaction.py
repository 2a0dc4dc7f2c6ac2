"""Secret redaction: credentials in free text are replaced by ``[REDACTED:<kind>]``.

:func:`redact_event` scans the fields where credentials turn up in practice — agent tool inputs
and commands, error messages, titles, gate inputs, every top-level text field of the payload,
``source_url`` and the ``attributes`` values — and returns a copy with each secret replaced and
one :class:`~schemas.envelope.Redaction` (JSON path, kind) per field and kind on the envelope.

Kinds: ``aws_access_key_id``, ``github_token``, ``gitlab_token``, ``slack_token``,
``slack_webhook``, ``bearer_token``, ``basic_auth``, ``jwt``, ``private_key``, ``url_password``,
``secret_assignment`` (``PASSWORD=...``, ``*_TOKEN=...``, ``--password ...``, ``aws_secret_access_key
= ...``) and ``secret_json_field`` (``"api_key": "..."`` inside JSON text).

All patterns are one precompiled regular expression behind a cheap literal pre-check; an event
with no match is returned as is (models are frozen, so that is safe).
"""

from __future__ import annotations

import re
from typing import Any

from schemas.envelope import Redaction
from schemas.event import Event

# names that mark a secret (not secrets themselves)
_SECRET_WORDS = r"(?:PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CLIENT_SECRET|CREDENTIALS?|AUTH)"  # noqa: E501, S105
_NOT_ALREADY = r"(?!\[REDACTED|\$|\\?[\"']?\$|\*{3})"
_VALUE = r"(?:\\?[\"'])?[^\s\"'\\;&|,}]+"

# (kind, pattern); a pattern may name groups ``pre`` and ``post``: text kept around the secret.
_PATTERNS: tuple[tuple[str, str], ...] = (
    ("private_key",
     r"-----BEGIN[A-Z ]*PRIVATE KEY-----(?:.*?-----END[A-Z ]*PRIVATE KEY-----|[^\"]*)"),
    ("slack_webhook", r"https://hooks\.slack\.com/services/[A-Za-z0-9/_-]+"),
    ("url_password", r"(?P<pre>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@\"']+:)"
                     r"[^\s@/\"']+(?P<post>@)"),
    ("bearer_token", r"(?P<pre>\b[Bb]earer\s+)[A-Za-z0-9._~+/-]{8,}=*"),
    ("basic_auth", r"(?P<pre>\bBasic\s+)[A-Za-z0-9+/]{12,}=*"),
    ("jwt", r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"),
    ("aws_access_key_id", r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b"),
    ("github_token", r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})"),
    ("gitlab_token", r"\bgl(?:pat|dt|rt|ptt|cbt|oas|soat|ft|imt|agent)-[A-Za-z0-9_-]{20,}"),
    ("slack_token", r"\bxox[abposre]-[A-Za-z0-9-]{10,}"),
    ("secret_json_field",
     r"(?P<pre>\"[A-Za-z0-9_.-]*" + _SECRET_WORDS + r"\"\s*:\s*\")" + _NOT_ALREADY
     + r"[^\"\\]+(?:\\.[^\"\\]*)*(?P<post>\")"),
    ("secret_assignment",
     r"(?P<pre>\b[A-Za-z0-9_]*" + _SECRET_WORDS + r"\s*[=:]\s*)" + _NOT_ALREADY + _VALUE),
    ("secret_assignment",
     r"(?P<pre>--[A-Za-z0-9-]*(?:password|passwd|secret|token|api-?key)(?:=|\s+))"
     + _NOT_ALREADY + _VALUE),
)


def _compile() -> tuple[re.Pattern[str], dict[str, str]]:
    parts, kinds = [], {}
    for index, (kind, pattern) in enumerate(_PATTERNS):
        name = f"k{index}"
        pattern = pattern.replace("(?P<pre>", f"(?P<{name}pre>").replace("(?P<post>", f"(?P<{name}post>")
        parts.append(f"(?P<{name}>{pattern})")
        kinds[name] = kind
    return re.compile("|".join(parts), re.IGNORECASE | re.DOTALL), kinds


_SECRETS, _KINDS = _compile()
# cheap first pass over the lower-cased text: without one of these no secret pattern can match
_TOKENS = (
    "akia", "asia", "agpa", "aida", "aroa", "anpa", "anva", "aipa", "ghp_", "gho_", "ghu_", "ghs_", "ghr_",
    "github_pat_", "glpat-", "gldt-", "glrt-", "glptt-", "glcbt-", "gloas-", "glsoat-", "glft-", "glimt-",
    "glagent-", "xox", "bearer", "basic", "eyj", "private key", "hooks.slack", "pass", "secret", "token",
    "key", "credential",
)
_URL_CREDENTIALS = re.compile(r"://[^/\s@]*:[^/\s@]*@")
_AUTH_ASSIGNMENT = re.compile(r"auth[\"'\s]*[=:]")


def might_hold_secret(text: str) -> bool:
    """False when ``text`` certainly holds no secret (one cheap pass over the lower-cased text)."""
    low = text.lower()
    for token in _TOKENS:  # a plain loop of `in` is the fastest test here
        if token in low:
            return True
    if "://" in low and "@" in low and _URL_CREDENTIALS.search(low):
        return True
    return "auth" in low and _AUTH_ASSIGNMENT.search(low) is not None


_GENERIC = frozenset({"secret_assignment", "secret_json_field"})


def _kind_of(kind: str, secret: str) -> str:
    """A generic match (``TOKEN=ghp_...``) is reported as the specific kind of its value."""
    if kind not in _GENERIC:
        return kind
    inner = _SECRETS.fullmatch(secret)
    return _KINDS[inner.lastgroup or ""] if inner and inner.lastgroup else kind


def redact_text(text: str) -> tuple[str, list[str]]:
    """``text`` with every secret replaced, and the kinds found (in order, deduplicated)."""
    found: list[str] = []

    def replace(match: re.Match[str]) -> str:
        name = match.lastgroup or ""
        groups = match.groupdict()
        pre, post = groups.get(name + "pre") or "", groups.get(name + "post") or ""
        kind = _kind_of(_KINDS[name], match.group(0)[len(pre):len(match.group(0)) - len(post)])
        if kind not in found:
            found.append(kind)
        return f"{pre}[REDACTED:{kind}]{post}"

    if not might_hold_secret(text) or _SECRETS.search(text) is None:
        return text, found
    return _SECRETS.sub(replace, text), found


def _redact_fields(values: dict[str, Any], prefix: str, out: list[Redaction]) -> dict[str, str]:
    """The string items of ``values`` that held secrets, redacted; records one entry per kind."""
    changed: dict[str, str] = {}
    for key, value in values.items():
        if not isinstance(value, str) or not value:
            continue
        clean, kinds = redact_text(value)
        if kinds:
            changed[key] = clean
            out.extend(Redaction(path=f"{prefix}{key}", kind=kind) for kind in kinds)
    return changed


def redact_event(event: Event) -> Event:
    """A copy of ``event`` with credentials replaced and the envelope's ``redactions`` extended.

    Returns ``event`` itself when nothing was found (events are frozen).
    """
    payload = event.payload
    fields = payload.__dict__
    texts = [v for v in fields.values() if isinstance(v, str)]
    texts += [event.source_url or "", *event.attributes.values()]
    if not might_hold_secret("\n".join(texts)):
        return event
    found: list[Redaction] = []
    payload_update = _redact_fields(fields, "$.payload.", found)
    envelope_update: dict[str, Any] = _redact_fields({"source_url": event.source_url}, "$.", found)
    attributes = _redact_fields(event.attributes, "$.attributes.", found)
    if not found:
        return event
    if attributes:
        envelope_update["attributes"] = event.attributes | attributes
    if payload_update:
        envelope_update["payload"] = payload.model_copy(update=payload_update)
    envelope_update["redactions"] = [*event.redactions, *found]
    return event.model_copy(update=envelope_update)
