"""Secret redaction: credentials in free text are replaced by ``[REDACTED:<kind>]``.

:func:`redact_event` scans the fields where credentials turn up in practice — agent tool inputs
and commands, error messages, titles, gate inputs, every top-level text field of the payload,
``source_url`` and the ``attributes`` values — and returns a copy with each secret replaced and
one :class:`~schemas.envelope.Redaction` (JSON path, kind) per field and kind on the envelope.

Kinds: ``aws_access_key_id``, ``github_token``, ``gitlab_token``, ``slack_token``,
``slack_webhook``, ``bearer_token``, ``basic_auth``, ``jwt``, ``private_key``, ``url_password``,
``secret_assignment`` (``PASSWORD=...``, ``*_TOKEN=...``, ``--password ...``, ``aws_secret_access_key
= ...``) and ``secret_json_field`` (``"api_key": "..."`` inside JSON text).

All patterns are one precompiled regular expression behind a cheap pre-check
(:func:`might_hold_secret`): one pass of a Rust regular expression over the lower-cased text for
the literals that every pattern needs (a key prefix, a secret word followed by a space, ``=``,
``:``, a quote or a backslash, ``user:password@`` after ``://``). It holds for JSON text too, so
:func:`redacted_json` clears a whole serialised event in one call and walks the fields only when
the pre-check flags it. An event with no match is returned as is (models are frozen, so that is
safe).
"""

from __future__ import annotations

import re
from typing import Any

from pydantic_core import SchemaValidator, core_schema

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

# -- the pre-check ---------------------------------------------------------------------------
# Every pattern above needs one of these in the text, lower-cased (Python's IGNORECASE also lets
# four non-ASCII letters stand for ASCII ones: _FOLD maps them to those first).
_LITERALS = (
    "-----begin", "hooks.slack", "bearer", "basic", "eyj", "xox",  # private key, webhook, auth, jwt, slack
    "akia", "asia", "agpa", "aida", "aroa", "anpa", "anva", "aipa",  # AWS key id prefixes
    "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_",
    "glpat-", "gldt-", "glrt-", "glptt-", "glcbt-", "gloas-", "glsoat-", "glft-", "glimt-", "glagent-",
)
# how each word of _SECRET_WORDS (and of the --flag names) ends; a generic pattern matches only
# where one of them is followed by a space, "=", ":" or '"' ...
_WORD_ENDS = ("password", "passwd", "passphrase", "secret", "token", "key", "credential", "credentials",
              "auth")
# ... every character Python's \s matches (str.isspace) ...
_SPACES = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + (
    "\u2028\u2029\u202f\u205f\u3000")
# ... or, in JSON text, a backslash: the escape of a quote or of an ASCII control character
_FOLLOWERS = _SPACES + '=:"\\'
# user:password@ after a scheme (no quote, slash or @ in between: nor in the escaped JSON form)
_URL_CREDENTIAL_SHAPE = r'://[^/@"]*:[^/@"]*@'
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
_META = frozenset(".^$*+?()[]{}|\\-")


def _rust_literal(text: str) -> str:
    return "".join("\\" + c if c in _META else c for c in text)


def _precheck_pattern() -> str:
    """The pre-check as one regular expression (Rust/RE2 syntax; the ingest's vectorised path uses it too)."""
    followers = "".join(f"\\x{{{ord(c):x}}}" for c in _FOLLOWERS)
    words = "|".join(map(_rust_literal, _WORD_ENDS))
    return "|".join([*map(_rust_literal, _LITERALS), f"(?:{words})[{followers}]", _URL_CREDENTIAL_SHAPE])


# one pass of the Rust regex engine that pydantic-core ships (a multi-literal search), instead of one
# Python scan of the text per literal
_CANDIDATE = SchemaValidator(core_schema.str_schema(pattern=_precheck_pattern(),
                                                    regex_engine="rust-regex")).isinstance_python


def might_hold_secret(text: str | bytes) -> bool:
    """False when ``text`` certainly holds no secret; one pass over the lower-cased text.

    ``text`` may be a text field or the (UTF-8) JSON serialisation of texts: the check is True for
    a JSON text whenever it is True for one of the strings in it, so one call can clear a whole
    serialised event.
    """
    if text.isascii():
        return bool(_CANDIDATE(text.lower()))
    if isinstance(text, bytes):
        return bool(_CANDIDATE(text.decode().translate(_FOLD).lower()))
    folded = text.translate(_FOLD).lower()
    # the Rust engine refuses a text with a lone surrogate (it has no UTF-8 form): the full scan decides
    return bool(_CANDIDATE(folded)) or not _has_utf8_form(folded)


def _has_utf8_form(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


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


def redacted_json(event: Event) -> tuple[Event, bytes]:
    """``event`` with its credentials redacted, and its JSON (pydantic-core's serialisation).

    The JSON is made first and pre-checked as one text: an event that cannot hold a secret (the
    usual case) is serialised once and never walked field by field.
    """
    value = event.__pydantic_serializer__.to_json(event)
    if value.isascii() and not _CANDIDATE(value.lower()):  # might_hold_secret's usual case, inline
        return event, value
    if not might_hold_secret(value):
        return event, value
    clean = redact_event(event)
    if clean is event:
        return event, value
    return clean, clean.__pydantic_serializer__.to_json(clean)
