"""The redaction pre-check never lets a secret through: whatever a full pattern matches, it flags.

The pre-check (``might_hold_secret``) runs on a field's text or on a whole serialised event, and
only a flagged text gets the full scan; so it must be True for every text in which the full
regular expression finds a secret, in any letter case, with any whitespace, and after JSON escaping.
"""

from __future__ import annotations

import json
import random
import re
import string
from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc
import pydantic_core
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.event import Event, parse_obj
from schemas.examples import example_event
from schemas.redaction import (
    _FOLD,
    _SECRETS,
    _SPACES,
    _precheck_pattern,
    might_hold_secret,
    redact_event,
    redact_text,
    redacted_json,
)
from tests.schemas.secret_corpus import PLACES, place, template
from tests.schemas.test_redaction_property import secret_texts

ALNUM = string.ascii_letters + string.digits
# what Python's IGNORECASE lets stand for an ASCII letter besides its two cases
LOOKALIKES = {"i": "\u0130\u0131", "s": "\u017f", "k": "\u212a"}
FILLER = ["ls -la", "kubectl get pods", "deploy to prod", "max_tokens=100", "author: bob", "key",
          "token", "pass", '{"n": 1}', "a\\b", "tab\there", "line\nbreak", "é ü ß 日本", "x\u2028y",
          "https://github.com/acme/x/pull/1", "alice@example.com", "--verbose", "PASSWORD=$DB_PASSWORD"]


def _word(rng: random.Random, n: int, alphabet: str = ALNUM) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _recase(rng: random.Random, text: str) -> str:
    """``text`` in random letter case, some letters swapped for their IGNORECASE look-alikes."""
    out = []
    for ch in text:
        lower = ch.lower()
        if lower in LOOKALIKES and rng.random() < 0.15:
            out.append(rng.choice(LOOKALIKES[lower]))
        elif ch.isascii() and ch.isalpha():
            out.append(ch.upper() if rng.random() < 0.5 else lower)
        else:
            out.append(ch)
    return "".join(out)


def _space(rng: random.Random) -> str:
    return rng.choice(_SPACES) if rng.random() < 0.5 else " "


SECRET_WORDS = ["PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "API_KEY", "APIKEY", "ACCESS_KEY",
                "PRIVATE_KEY", "CLIENT_SECRET", "CREDENTIAL", "CREDENTIALS", "AUTH"]


def _generic(rng: random.Random) -> str:
    prefix = rng.choice(["", "DB_", "GITHUB_", "my", "X9_", "aws_secret_"])
    word = rng.choice(SECRET_WORDS)
    value = rng.choice(["hunter2", _word(rng, 12), '"quoted-v"', "'single'"])
    shape = rng.randrange(3)
    if shape == 0:  # NAME=value, NAME: value
        return f"{prefix}{word}{_space(rng) * rng.randrange(2)}{rng.choice('=:')}{_space(rng)}{value}"
    if shape == 1:  # "name": "value" inside JSON text
        return f'"{prefix}{word}"{_space(rng) * rng.randrange(2)}:{_space(rng)}"{_word(rng, 10)}"'
    flag = rng.choice(["password", "passwd", "secret", "token", "api-key", "apikey"])
    return f"--{rng.choice(['', 'db-', 'x'])}{flag}{rng.choice(['=', _space(rng), '  '])}{value}"


SECRETS: dict[str, Callable[[random.Random], str]] = {
    "aws_access_key_id": lambda r: r.choice(["AKIA", "ASIA", "AGPA", "AIDA", "AROA", "ANPA", "ANVA", "AIPA"])
    + _word(r, 16, string.ascii_uppercase + string.digits),
    "github_token": lambda r: r.choice([f"gh{r.choice('pousr')}_{_word(r, 36)}",
                                        f"github_pat_{_word(r, 30)}"]),
    "gitlab_token": lambda r: "gl" + r.choice(["pat", "dt", "rt", "ptt", "cbt", "oas", "soat", "ft", "imt",
                                               "agent"]) + "-" + _word(r, 22),
    "slack_token": lambda r: f"xox{r.choice('abposre')}-{_word(r, 14)}",
    "slack_webhook": lambda r: f"https://hooks.slack.com/services/T0/B0/{_word(r, 20)}",
    "bearer_token": lambda r: f"Bearer{_space(r)}{_word(r, 20)}",
    "basic_auth": lambda r: f"Basic{_space(r)}{_word(r, 16)}==",
    "jwt": lambda r: f"eyJ{_word(r, 10)}.eyJ{_word(r, 12)}.{_word(r, 8)}",
    "private_key": lambda r: f"-----BEGIN {r.choice(['RSA ', 'EC ', ''])}PRIVATE KEY-----\n{_word(r, 30)}\n"
    "-----END PRIVATE KEY-----",
    "url_password": lambda r: f"{r.choice(['https', 'postgres', 'git+ssh'])}://{_word(r, 5)}:{_word(r, 8)}"
    "@db:5432/x",
    "generic": _generic,
}


def _text(rng: random.Random) -> str:
    """Filler around one secret of a random kind, in random case, maybe as JSON text."""
    secret = _recase(rng, SECRETS[rng.choice(list(SECRETS))](rng))
    parts = [rng.choice(FILLER) for _ in range(rng.randrange(3))]
    parts.insert(rng.randrange(len(parts) + 1), secret)
    text = rng.choice([" ", "\n", "; ", " && ", ""]).join(parts)
    return json.dumps({"command": text}) if rng.random() < 0.25 else text


def _event(rng: random.Random, text: str) -> Event:
    """An example event with ``text`` in one of the places a string can sit (ids, nested fields, list
    items, attribute keys and values...)."""
    _name, event_type, where = rng.choice(PLACES)
    limit = {"attributes.key": 128, "event_id": 256, "payload.files[].path": 256}.get(where)
    text = (text or "x")[:limit]
    return parse_obj(place(template(event_type), where, text))


def _scanned_texts(event: Event) -> list[str]:
    """Every string ``redact_event`` walks: values at any depth and attribute keys."""
    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(key)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(event.model_dump(mode="json"))
    return found


@pytest.mark.parametrize("seed", range(4))
def test_precheck_flags_every_text_and_event_the_full_scan_finds_a_secret_in(seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 - reproducible test data
    found = 0
    for _ in range(400):
        event = _event(rng, _text(rng))
        value = event.__pydantic_serializer__.to_json(event)
        holders = [t for t in _scanned_texts(event) if _SECRETS.search(t)]
        for text in holders:
            assert might_hold_secret(text), text
        if holders:
            found += 1
            assert might_hold_secret(value), value
            assert might_hold_secret(value.decode()), value
    assert found > 300  # the generator does make secrets the full scan finds


@pytest.mark.parametrize("seed", range(2))
def test_redacted_json_is_the_full_redaction_serialised(seed: int) -> None:
    rng = random.Random(100 + seed)  # noqa: S311 - reproducible test data
    for _ in range(150):
        event = _event(rng, _text(rng) if rng.random() < 0.7 else rng.choice(FILLER))
        clean, value = redacted_json(event)
        expected = redact_event(event)
        assert clean == expected
        assert value == expected.__pydantic_serializer__.to_json(expected)
        assert (clean is event) == (expected is event)


def test_clean_event_is_serialised_once_and_kept() -> None:
    event = example_event("change", redactions=[])
    clean, value = redacted_json(event)
    assert clean is event
    assert value == event.model_dump_json().encode()
    assert not might_hold_secret(value)


@pytest.mark.parametrize("text", ["PA\u017f\u017fWORD=hunter2", "Bas\u0130c dXNlcjpwYXNzd29yZA==",
                                  "ACCESS_\u212aEY=abc123", "api_\u212aey: x1"])
def test_lookalike_letters_are_flagged_and_redacted(text: str) -> None:
    assert might_hold_secret(text)
    clean, kinds = redact_text(text)
    assert kinds and "[REDACTED:" in clean


def test_text_with_a_lone_surrogate_gets_the_full_scan() -> None:
    text = "TOKEN=abc123 \udc80"
    assert might_hold_secret(text)
    assert redact_text(text) == ("TOKEN=[REDACTED:secret_assignment] \udc80", ["secret_assignment"])
    assert might_hold_secret("harmless \udc80")  # flagged: only the full scan can read it
    assert redact_text("harmless \udc80") == ("harmless \udc80", [])


def test_spaces_are_every_character_python_regex_calls_whitespace() -> None:
    assert set(_SPACES) == {chr(c) for c in range(0x110000) if re.fullmatch(r"\s", chr(c))}


def test_fold_covers_every_non_ascii_character_ignorecase_matches_to_an_ascii_letter() -> None:
    letter = re.compile("[a-z]", re.IGNORECASE)
    lookalikes = {chr(c) for c in range(0x80, 0x110000) if letter.fullmatch(chr(c))}
    assert lookalikes == {chr(c) for c in _FOLD}
    for char, ascii_letter in ((chr(c), v) for c, v in _FOLD.items()):
        assert re.fullmatch(str(ascii_letter), char, re.IGNORECASE)


def test_json_escapes_of_text_start_with_a_backslash() -> None:
    """What the pre-check assumes of a serialised event: printable ASCII other than a quote or a
    backslash stays as it is; any other character stays or becomes an escape ``\\...``."""
    for char in [chr(c) for c in range(0x80)] + list(_SPACES) + [chr(c) for c in _FOLD]:
        encoded = pydantic_core.to_json(f"a{char}b").decode()[2:-2]
        event = example_event("incident", attributes={"x": f"a{char}b"})
        assert f'"x":"a{encoded}b"' in event.__pydantic_serializer__.to_json(event).decode()
        if " " <= char <= "~" and char not in '"\\':
            assert encoded == char
        else:
            assert encoded == char or encoded.startswith("\\"), repr(char)


# -- generated (hypothesis): every shape of tests/schemas/test_redaction_property.py, recased, in
# any place of an event, as is or inside JSON text, and arbitrary text around it

@st.composite
def _flagged_candidates(draw: st.DrawFn) -> str:
    text, _secret = draw(secret_texts())
    text = _recase(random.Random(draw(st.integers(0, 2**32))), text)  # noqa: S311 - test data
    text = draw(st.text(max_size=8)) + text + draw(st.text(max_size=8))
    return json.dumps({"command": text}) if draw(st.booleans()) else text


@settings(max_examples=500, deadline=None)
@given(st.one_of(_flagged_candidates(), st.text()), st.integers(0, 2**32))
def test_precheck_never_clears_what_the_full_redaction_changes(text: str, seed: int) -> None:
    if _SECRETS.search(text):
        assert might_hold_secret(text), text
    event = _event(random.Random(seed), text)  # noqa: S311 - test data
    if redact_event(event) is not event:
        value = event.__pydantic_serializer__.to_json(event)
        assert might_hold_secret(value) and might_hold_secret(value.decode()), value


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"[A-Za-z0-9_.-]{0,6}(password|passwd|secret|token|api[_-]?key|access[_-]?key"
                     r"|credentials?|auth|cookie)", fullmatch=True), st.text(min_size=1, max_size=20))
def test_precheck_flags_an_attribute_whose_key_names_a_secret(key: str, value: str) -> None:
    event = example_event("change", attributes={key: value})
    if redact_event(event) is not event:
        assert might_hold_secret(event.__pydantic_serializer__.to_json(event))


@settings(max_examples=500, deadline=None)
@given(st.one_of(_flagged_candidates(), st.text(string.printable)).filter(str.isascii))
def test_the_vectorized_path_reads_the_precheck_alike(text: str) -> None:
    """``ingest.fast_path`` runs the same pattern in Arrow (RE2, ignoring case) on ASCII text."""
    arrow = pc.match_substring_regex(pa.array([text]), _precheck_pattern(), ignore_case=True)[0].as_py()
    assert arrow == might_hold_secret(text)
