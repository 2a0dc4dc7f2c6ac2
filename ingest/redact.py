"""The one place the worker removes secrets: from an event before it is landed, and from the raw
bytes of a rejected record before its dead letter is written or sent.

Raw bytes are redacted as text with the patterns of ``schemas.redaction``, in every reading of
them a secret could hide in:

- bytes that are not UTF-8 are read twice: each bad byte as U+FFFD, and with the bad bytes (and
  NUL characters, as UTF-16 text would hold) left out, so a secret split by them is whole; when
  either reading holds a secret the redaction of the second is kept (valid UTF-8), otherwise the
  bytes as received;
- every JSON string in the text (``"..."``) is read decoded, so escapes (``\\u0041KIA...``,
  ``https:\\/\\/user:pw@``, ``PASSWORD=\\nhunter2``) hide nothing; one that held a secret is
  written back redacted (JSON-escaped), the rest of the text is kept as it was.

Bytes in which nothing was found are returned as they are.
"""

from __future__ import annotations

import json
import re

from schemas.event import Event
from schemas.redaction import has_utf8_form, redact_event, redact_text

_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


def redact(event: Event) -> Event:
    """``event`` with credentials replaced by ``[REDACTED:<kind>]`` (itself if none found)."""
    return redact_event(event)


def redact_raw(raw: bytes) -> bytes:
    """``raw`` with every secret replaced by ``[REDACTED:<kind>]`` (``raw`` itself if none found)."""
    whole = raw.decode(errors="ignore").replace("\x00", "")
    readings = dict.fromkeys([_canonical(raw.decode(errors="replace")), _canonical(whole)])
    clean = {reading: _redact(reading) for reading in readings}
    if all(clean[reading] == reading for reading in readings):
        return raw
    return clean[_canonical(whole)].encode()


def _canonical(text: str) -> str:
    """``text`` with each JSON string spelled without needless escapes (``\\u0041`` -> ``A``)."""
    return _JSON_STRING.sub(_canonical_string, text)


def _canonical_string(match: re.Match[str]) -> str:
    token = match.group(0)
    try:
        value = json.loads(token, strict=False)
    except ValueError:
        return token
    plain = json.dumps(value, ensure_ascii=False)
    return plain if has_utf8_form(plain) else json.dumps(value)


def _redact(text: str) -> str:
    """The JSON strings of ``text`` redacted decoded, then the whole text (shapes across strings,
    such as ``"api_key": "..."``, and text that is not JSON)."""
    return redact_text(_JSON_STRING.sub(_redact_string, text))[0]


def _redact_string(match: re.Match[str]) -> str:
    token = match.group(0)
    try:
        value = json.loads(token, strict=False)
    except ValueError:
        return token
    clean, kinds = redact_text(value) if isinstance(value, str) else (value, [])
    return json.dumps(clean) if kinds else token
