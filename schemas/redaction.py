"""Secret redaction: credentials anywhere in an event are replaced by ``[REDACTED:<kind>]``.

:func:`redact_event` walks every string of an event — envelope ids and fields, every payload
field, nested models, list items, ``attributes`` keys and values, the ``redactions`` already
there — and returns a copy with each secret replaced and one
:class:`~schemas.envelope.Redaction` (JSON path, kind) per string and kind on the envelope. An
attribute whose key names a secret (``"db_password": "..."``) has its whole value redacted, as
``"db_password": "..."`` is inside JSON text. A redacted string longer than its field allows is
cut to the limit (the secret is gone either way), and two attribute keys redacted alike are kept
apart with a ``#<n>`` suffix, so the event stays valid and no attribute is lost.

Kinds: ``aws_access_key_id``, ``aws_secret_access_key`` (``aws_secret_access_key X``,
``aws_session_token X``), ``github_token``, ``gitlab_token``, ``slack_token``, ``slack_webhook``,
``openai_api_key`` (``sk-``, ``sk-proj-``), ``anthropic_api_key`` (``sk-ant-``),
``google_api_key`` (``AIza``), ``jwt``, ``private_key`` (PEM blocks), ``url_password``
(``scheme://user:pass@host``), ``bearer_token``, ``basic_auth`` (``Basic ...``, ``curl -u
user:pw``), ``auth_header`` (``Authorization:``, ``x-api-key:``, ``x-auth-token:``, ``cookie:``
...), ``secret_assignment`` (``PASSWORD=...``, ``PGPASSWORD=...``, ``*_TOKEN=...``,
``--password X``, ``--token=X``, ``mysql -pX``) and ``secret_json_field`` (``"api_key": "..."``
inside JSON text, or an attribute under such a key). A generic match whose value is itself of a
specific kind (``TOKEN=ghp_...``, ``Authorization: Bearer ...``) is reported as that kind.

All patterns are one precompiled regular expression behind a cheap pre-check
(:func:`might_hold_secret`): one pass of a Rust regular expression over the lower-cased text for
what every pattern needs (a key prefix, a command name, a secret word followed by a space, ``=``,
``:``, a quote or a backslash, ``user:password@`` after ``://``). It holds for JSON text too, so
:func:`redacted_json` clears a whole serialised event in one call and walks it only when the
pre-check flags it. An event with no match is returned as is (models are frozen, so that is safe).
"""

from __future__ import annotations

import functools
import re
import types
from typing import Annotated, Any, Union, cast, get_args, get_origin

import annotated_types
from pydantic import BaseModel
from pydantic_core import PydanticSerializationError, SchemaValidator, core_schema

from schemas.envelope import ATTRIBUTE_KEY_MAX, ATTRIBUTE_VALUE_MAX, Redaction
from schemas.event import Event

# names that mark a secret (not secrets themselves)
_SECRET_WORDS = (r"(?:PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API[_-]?KEY|ACCESS[_-]?KEY"  # noqa: S105
                 r"|PRIVATE[_-]?KEY|CLIENT[_-]?SECRET|CREDENTIALS?|AUTH|COOKIE)")
_NOT_ALREADY = r"(?!\[REDACTED|\$|\\?[\"']?\$|\*{3})"
_SP = r"(?:\s|\\[nrt])"  # whitespace, or its escape inside JSON text
# between a flag and its value: "=", whitespace, or the "," of a JSON argument list ["--token", "x"]
_ARG_SEP = r"(?:=|" + _SP + r"+|\\?[\"']\s*,\s*\\?[\"'])"
# a value: quoted (a double quote that does not close a JSON string), escaped-quoted, or bare
_VALUE = (r"(?:\"(?![\s,:}\]])[^\"\n]*\"|'[^'\n]*'|\\\"(?:[^\"\\]|\\[^\"])*?\\\""
          r"|(?:\\?[\"'])?[^\s\"'\\;&|,}]+)")
# a word starts here: \b, or after a JSON escape (\n, \t, \u00a0...) inside JSON text
_B = r"(?:\b|(?<=\\[nrtbf])|(?<=\\u[0-9a-fA-F]{4}))"
_BEFORE_ARG = r"(?:[\s\"']|\\[nrt])"  # what comes before a command-line option
_HEADER_NAMES = r"(?:x-api-key|api-key|x-auth-token|x-access-token|private-token|x-amz-security-token" \
                r"|(?:set-)?cookie)"

# (kind, pattern); a pattern may name groups ``pre`` and ``post``: text kept around the secret.
_PATTERNS: tuple[tuple[str, str], ...] = (
    ("private_key", r"-----BEGIN[A-Z ]*PRIVATE KEY(?: BLOCK)?-----"
                    r"(?:.*?-----END[A-Z ]*PRIVATE KEY(?: BLOCK)?-----|[^\"]*)"),
    ("slack_webhook", r"(?:https?://)?" + _B
     + r"hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9/_-]+"),
    ("url_password", r"(?P<pre>" + _B + r"[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@\"']*:)(?!\[REDACTED|\$)"
                     r"[^\s/\"']+(?P<post>@)"),
    ("auth_header", r"(?P<pre>" + _B + r"(?:proxy-)?authorization\s*:\s*)(?!\[REDACTED)"
                    r"(?:[A-Za-z0-9_.-]+\s+(?!\[REDACTED)[^\s\"'\\]+|[A-Za-z0-9._~+/=-]{16,})"),
    ("auth_header", r"(?P<pre>" + _B + _HEADER_NAMES + r"\s*:\s*)" + _NOT_ALREADY
     + r"[^\s\"'\\](?:[^\r\n\"'\\]*[^\s\"'\\])?"),
    ("basic_auth", r"(?P<pre>" + _B + r"curl\b[^\n;&|]*?" + _BEFORE_ARG + r"(?:-u|--user)(?:" + _ARG_SEP
     + r")?[\"']?[^\s:\"'\\]*:)(?!\[REDACTED)[^\s\"'\\]+"),
    ("secret_assignment", r"(?P<pre>" + _B + r"(?:mysql|mysqldump|mysqladmin|mariadb|mariadb-dump)\b"
                          r"[^\n;&|]*?" + _BEFORE_ARG + r"(?-i:-p))" + _NOT_ALREADY + r"(?=\S)" + _VALUE),
    ("bearer_token", r"(?P<pre>" + _B + r"[Bb]earer" + _SP + r"+)[A-Za-z0-9._~+/-]{8,}=*"),
    ("basic_auth", r"(?P<pre>" + _B + r"Basic" + _SP + r"+)[A-Za-z0-9+/]{12,}=*"),
    ("jwt", _B + r"eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"),
    ("aws_access_key_id", _B + r"(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b"),
    ("aws_secret_access_key", r"(?P<pre>" + _B + r"(?:aws_secret_access_key|aws_session_token)(?:" + _SP
     + r"*[=:]" + _SP + r"*|" + _SP + r"+))" + _NOT_ALREADY + _VALUE),
    ("github_token", _B + r"(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})"),
    ("gitlab_token", _B + r"gl(?:pat|dt|rt|ptt|cbt|oas|soat|ft|imt|agent)-[A-Za-z0-9_-]{20,}"),
    ("slack_token", _B + r"(?:xox[abposre]-[A-Za-z0-9-]{10,}|xapp-\d-[A-Za-z0-9-]{10,})"),
    ("anthropic_api_key", _B + r"sk-ant-[A-Za-z0-9_-]{20,}"),
    ("openai_api_key", _B + r"sk-(?:proj-|svcacct-|admin-)?(?=[A-Za-z_-]*\d)[A-Za-z0-9_-]{20,}"),
    ("google_api_key", _B + r"AIza[0-9A-Za-z_-]{35}"),
    ("secret_json_field",  # in JSON text, or in JSON text inside JSON text (quotes escaped alike)
     r"(?P<pre>(?P<jq>\\*)\"[A-Za-z0-9_.-]*" + _SECRET_WORDS + r"(?P=jq)\"\s*:\s*(?P=jq)\")" + _NOT_ALREADY
     + r"(?:[^\"\\]|\\.)+?(?P<post>(?P=jq)\")"),
    ("secret_assignment",
     r"(?P<pre>" + _B + r"[A-Za-z0-9_]*" + _SECRET_WORDS + _SP + r"*[=:]" + _SP + r"*)" + _NOT_ALREADY
     + _VALUE),
    ("secret_assignment",
     r"(?P<pre>--[A-Za-z0-9-]*(?:password|passwd|secret|token|api-?key|access-key)" + _ARG_SEP + r")"
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
# an attribute key that names a secret: its value is one (as "key": "value" in JSON text is)
_SECRET_NAME = re.compile(r"[A-Za-z0-9_.-]*" + _SECRET_WORDS, re.IGNORECASE)
_MARKER = re.compile(r"\[REDACTED:[a-z_]+\]")
_REDACTABLE_VALUE = re.compile(_NOT_ALREADY + r"\S", re.IGNORECASE)

# -- the pre-check ---------------------------------------------------------------------------
# Every pattern above needs one of these in the text, lower-cased (Python's IGNORECASE also lets
# four non-ASCII letters stand for ASCII ones: _FOLD maps them to those first).
_LITERALS = (
    "-----begin", "hooks.slack", "bearer", "basic", "eyj", "xox", "xapp-",  # keys, webhooks, auth, jwt
    "akia", "asia", "agpa", "aida", "aroa", "anpa", "anva", "aipa",  # AWS key id prefixes
    "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_",
    "glpat-", "gldt-", "glrt-", "glptt-", "glcbt-", "gloas-", "glsoat-", "glft-", "glimt-", "glagent-",
    "aiza", "curl", "mysql", "mariadb",
)
# how each word of _SECRET_WORDS, of the --flag and of the header names ends; a generic pattern
# matches only where one of them is followed by a space, "=", ":" or '"' ...
_WORD_ENDS = ("password", "passwd", "passphrase", "secret", "token", "key", "credential", "credentials",
              "auth", "cookie")
# ... every character Python's \s matches (str.isspace) ...
_SPACES = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + (
    "\u2028\u2029\u202f\u205f\u3000")
# ... or, in JSON text, a backslash: the escape of a quote or of an ASCII control character
# ("authorization" only before a colon, spaces or their escapes between)
_FOLLOWERS = _SPACES + '=:"\\'
# user:password@ after a scheme (no quote, slash or @ in between: nor in the escaped JSON form)
_URL_CREDENTIAL_SHAPE = r'://[^/@"]*:[^/@"]*@'
# "sk-" after a character that is not a word character (or after a JSON escape: \n, \u00a0...)
_JSON_ESCAPE = r"\\[nrtbf]|\\u[0-9a-f]{4}"  # how JSON text may spell a space or a non-word character
_SK_SHAPE = rf"(?:^|[^a-z0-9_]|{_JSON_ESCAPE})sk-"
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
_META = frozenset(".^$*+?()[]{}|\\-")


def _rust_literal(text: str) -> str:
    return "".join("\\" + c if c in _META else c for c in text)


def _precheck_pattern() -> str:
    """The pre-check as one regular expression (Rust/RE2 syntax; the ingest's vectorised path uses it too)."""
    followers = "".join(f"\\x{{{ord(c):x}}}" for c in _FOLLOWERS)
    spaces = "".join(f"\\x{{{ord(c):x}}}" for c in _SPACES)
    words = "|".join(map(_rust_literal, _WORD_ENDS))
    return "|".join([*map(_rust_literal, _LITERALS), f"(?:{words})[{followers}]",
                     f"authorization(?:[{spaces}]|{_JSON_ESCAPE})*:", _URL_CREDENTIAL_SHAPE, _SK_SHAPE])


# one pass of the Rust regex engine that pydantic-core ships (a multi-literal search), instead of one
# Python scan of the text per literal
_CANDIDATE = SchemaValidator(core_schema.str_schema(pattern=_precheck_pattern(),
                                                    regex_engine="rust-regex")).isinstance_python


def might_hold_secret(text: str | bytes) -> bool:
    """False when ``text`` certainly holds no secret; one pass over the lower-cased text.

    ``text`` may be a text field or the (UTF-8) JSON serialisation of texts: the check is True for
    a JSON text whenever it is True for one of the strings in it (keys included), so one call can
    clear a whole serialised event.
    """
    if text.isascii():
        return bool(_CANDIDATE(text.lower()))
    if isinstance(text, bytes):
        return bool(_CANDIDATE(text.decode().translate(_FOLD).lower()))
    folded = text.translate(_FOLD).lower()
    # the Rust engine refuses a text with a lone surrogate (it has no UTF-8 form): the full scan decides
    return bool(_CANDIDATE(folded)) or not has_utf8_form(folded)


def names_secret(key: str) -> bool:
    """True when a mapping key names a secret (``password``, ``x-api-key``, ``db_token``...)."""
    return _SECRET_NAME.fullmatch(key) is not None


def has_utf8_form(text: str) -> bool:
    """Whether ``text`` can be written as UTF-8 (no lone surrogates)."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


_MAX_PASSES = 8  # each pass redacts at least one secret the text a previous match kept held
_GENERIC = frozenset({"secret_assignment", "secret_json_field", "auth_header"})


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

    if not might_hold_secret(text):
        return text, found
    # again until nothing changes: the text a match keeps around its secret (``curl -H '...' -u
    # user:`` before a password) may hold another secret
    for _ in range(_MAX_PASSES):
        clean = _SECRETS.sub(replace, text)
        if clean == text:
            break
        text = clean
    return text, found


# -- the event walk --------------------------------------------------------------------------

def _clean_text(text: str, path: str, found: list[Redaction], limit: int | None) -> str:
    clean, kinds = redact_text(text)
    if not kinds:
        return text
    found.extend(Redaction(path=path, kind=kind) for kind in kinds)
    return _clip(clean, limit)


def _clip(text: str, limit: int | None) -> str:
    """``text`` within ``limit`` characters, never ending in part of a ``[REDACTED:...]`` marker."""
    if limit is None or len(text) <= limit:
        return text
    cut = next((m.start() for m in _MARKER.finditer(text) if m.start() < limit < m.end()), limit)
    return text[:cut]


def _walk(value: Any, path: str, found: list[Redaction], limit: int | None = None) -> Any:
    """``value`` with its strings redacted (``value`` itself when none changed)."""
    if isinstance(value, str):
        return _clean_text(value, path, found, limit)
    if isinstance(value, BaseModel):
        return _clean_model(value, path, found)
    if isinstance(value, list):
        items = [_walk(item, f"{path}[{i}]", found) for i, item in enumerate(value)]
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
    if isinstance(value, dict):
        return _clean_attributes(value, path, found)
    return value


def _clean_model(model: BaseModel, path: str, found: list[Redaction]) -> BaseModel:
    update = {}
    for name in type(model).model_fields:
        old = getattr(model, name)
        new = _walk(old, f"{path}.{name}", found, _max_length(type(model), name))
        if new is not old:
            update[name] = new
    return model.model_copy(update=update) if update else model


def _clean_attributes(values: dict[str, str], path: str, found: list[Redaction]) -> dict[str, str]:
    """Keys and values redacted; a value under a key that names a secret is redacted whole."""
    out: dict[str, str] = {}
    for key, value in values.items():
        clean_key, kinds = redact_text(key)
        clean_key = _unique(_clip(clean_key, ATTRIBUTE_KEY_MAX), out)
        where = f"{path}.{clean_key}"
        found.extend(Redaction(path=where, kind=kind) for kind in kinds)
        clean = _clean_text(value, where, found, ATTRIBUTE_VALUE_MAX)
        if names_secret(clean_key) and _REDACTABLE_VALUE.match(clean):
            clean = "[REDACTED:secret_json_field]"
            found.append(Redaction(path=where, kind="secret_json_field"))
        out[clean_key] = clean
    changed = any(k != c or values[k] != out[c] for k, c in zip(values, out, strict=True))
    return out if changed else values


def _unique(key: str, taken: dict[str, str]) -> str:
    """``key``, or ``key#<n>`` (within the key length limit) when a redacted key is already taken."""
    n = 1
    candidate = key
    while candidate in taken:
        n += 1
        suffix = f"#{n}"
        candidate = key[:ATTRIBUTE_KEY_MAX - len(suffix)] + suffix
    return candidate


@functools.cache
def _max_length(model: type[BaseModel], name: str) -> int | None:
    """The ``max_length`` of a string field (through ``Annotated`` and ``X | None``), if any."""
    info = model.model_fields[name]
    return _max_length_in([*info.metadata, info.annotation])


def _max_length_in(items: list[Any]) -> int | None:
    for item in items:
        if isinstance(item, annotated_types.MaxLen):
            return item.max_length
        inner = [*getattr(item, "metadata", ())]
        if get_origin(item) in (Annotated, Union, types.UnionType):
            inner += [*get_args(item), *getattr(item, "__metadata__", ())]
        found = _max_length_in(inner) if inner else None
        if found is not None:
            return found
    return None


def _might_hold(event: Event) -> bool:
    try:
        return might_hold_secret(event.__pydantic_serializer__.to_json(event))
    except PydanticSerializationError:  # a lone surrogate: only the full scan can read it
        return True


def redact_event(event: Event) -> Event:
    """A copy of ``event`` with credentials replaced and the envelope's ``redactions`` extended.

    Returns ``event`` itself when nothing was found (events are frozen).
    """
    if not _might_hold(event):
        return event
    found: list[Redaction] = []
    clean = cast(Event, _clean_model(event, "$", found))
    if not found:
        return event
    return clean.model_copy(update={"redactions": [*clean.redactions, *found]})


def redacted_json(event: Event) -> tuple[Event, bytes]:
    """``event`` with its credentials redacted, and its JSON (pydantic-core's serialisation).

    The JSON is made first and pre-checked as one text: an event that cannot hold a secret (the
    usual case) is serialised once and never walked.
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
