"""Generated secrets of every shape never survive redaction: in a text, in any place of an event,
or in the raw bytes of a record that is dead-lettered."""

from __future__ import annotations

import json
import string
from collections.abc import Callable

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ingest.redact import redact_raw
from schemas.event import parse_obj
from schemas.redaction import redact_event, redact_text
from tests.schemas.secret_corpus import PLACES, place, template

ALNUM = string.ascii_letters + string.digits
UPPER_DIGITS = string.ascii_uppercase + string.digits
FILLER = ["ls -la", "kubectl get pods", "deploy to prod", "max_tokens=100", "the key", "a token",
          "https://github.com/acme/x/pull/1", "alice@example.com", "--verbose", "é ü ß 日本", '{"n": 1}']
SEPARATORS = [" ", "\n", "\t", "; ", " && ", " | ", "\u00a0", "\u2003"]


def _chars(alphabet: str, low: int, high: int) -> st.SearchStrategy[str]:
    return st.text(alphabet, min_size=low, max_size=high)


def _with_digit(alphabet: str, low: int, high: int) -> st.SearchStrategy[str]:
    return st.builds(lambda a, d, b: a + d + b, _chars(alphabet, low // 2, high // 2),
                     st.sampled_from(string.digits), _chars(alphabet, low // 2, high // 2))


# a password: what a person types (no quote, space, backslash, shell separator, leading "$" or "-")
PASSWORD = st.builds(lambda first, rest: first + rest, st.sampled_from(ALNUM),
                     _chars(ALNUM + "_-.+%!~^@#=:", 7, 24))
URL_PASSWORD = st.builds(lambda first, rest: first + rest, st.sampled_from(ALNUM),
                         _chars(ALNUM + "_-.+%!~", 7, 24))
USER = _chars(string.ascii_lowercase, 1, 8)

# (shape, strategy of (text, secret))
Shape = Callable[[str], str]
CONTEXT: list[tuple[Shape, st.SearchStrategy[str]]] = [
    (lambda s: f"PASSWORD={s}", PASSWORD), (lambda s: f"export DEPLOY_TOKEN={s}", PASSWORD),
    (lambda s: f"db_secret: {s}", PASSWORD), (lambda s: f"PGPASSWORD={s} psql -h db", PASSWORD),
    (lambda s: f"vault login --password {s}", PASSWORD), (lambda s: f"app --db-password={s}", PASSWORD),
    (lambda s: f"gh auth login --token {s}", PASSWORD), (lambda s: f"cli --api-key={s} run", PASSWORD),
    (lambda s: f"mysql -h db -u root -p{s} app", PASSWORD),
    (lambda s: f'DB_PASSWORD="{s} x" ./run', PASSWORD),
    (lambda s: f"curl -s -u deploy:{s} https://ci.example.com", PASSWORD),
    (lambda s: f"curl --user=deploy:{s} https://x", PASSWORD),
    (lambda s: f"x-api-key: {s}", PASSWORD), (lambda s: f"X-Auth-Token: {s}", PASSWORD),
    (lambda s: f"Cookie: sid={s}; theme=dark", PASSWORD),
    (lambda s: f"aws configure set aws_secret_access_key {s}", PASSWORD),
    (lambda s: f'{{"api_key": "{s}", "n": 1}}', PASSWORD),
    (lambda s: f'["mysql", "--password", "{s}"]', PASSWORD),
    (lambda s: f"git clone https://alice:{s}@github.com/acme/x.git", URL_PASSWORD),
    (lambda s: f"redis://:{s}@cache:6379/0", URL_PASSWORD),
    (lambda s: f"Authorization: Bearer {s}", _chars(ALNUM + "._-", 12, 40)),
    (lambda s: f"Authorization: Token {s}", _chars(ALNUM, 12, 40)),
]
def _prefixed(prefixes: list[str], rest: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.builds(lambda p, s: p + s, st.sampled_from(prefixes), rest)


TOKENS: list[st.SearchStrategy[str]] = [
    _prefixed(["AKIA", "ASIA"], _chars(UPPER_DIGITS, 16, 16)),
    _prefixed(["ghp_", "gho_", "ghu_", "ghs_", "ghr_"], _chars(ALNUM, 36, 40)),
    _prefixed(["github_pat_"], _chars(ALNUM + "_", 22, 82)),
    _prefixed(["glpat-", "gldt-", "glrt-"], _chars(ALNUM + "_-", 20, 30)),
    _prefixed(["xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-"], _chars(ALNUM + "-", 10, 50)),
    _prefixed(["xapp-1-"], _chars(ALNUM + "-", 10, 40)),
    _prefixed(["sk-", "sk-proj-", "sk-svcacct-"], _with_digit(ALNUM, 20, 60)),
    _prefixed(["sk-ant-api03-"], _chars(ALNUM + "_-", 20, 95)),
    _prefixed(["AIza"], _chars(ALNUM + "_-", 35, 35)),
    st.builds(lambda a, b, c: f"eyJ{a}.eyJ{b}.{c}", _chars(ALNUM + "_-", 5, 30), _chars(ALNUM + "_-", 5, 60),
              _chars(ALNUM + "_-", 0, 40)),
    _prefixed(["https://hooks.slack.com/services/T0/B0/"], _chars(ALNUM, 12, 30)),
    st.builds(lambda kind, body: f"-----BEGIN {kind}PRIVATE KEY-----\n{body}\n-----END {kind}PRIVATE "
              "KEY-----", st.sampled_from(["", "RSA ", "EC ", "OPENSSH "]), _chars(ALNUM + "+/", 20, 80)),
]


@st.composite
def secret_texts(draw: st.DrawFn) -> tuple[str, str]:
    """(a text holding one generated secret among filler, the secret)."""
    if draw(st.booleans()):
        shape, values = draw(st.sampled_from(CONTEXT))
        secret = draw(values.filter(lambda s: not any(s in f for f in FILLER)))
        core = shape(secret)
    else:
        core = secret = draw(st.one_of(TOKENS))
    before = draw(st.lists(st.sampled_from(FILLER), max_size=2))
    after = draw(st.lists(st.sampled_from(FILLER), max_size=2))
    return draw(st.sampled_from(SEPARATORS)).join([*before, core, *after]), secret


@settings(max_examples=600, deadline=None)
@given(secret_texts())
def test_a_generated_secret_never_survives_in_text(case: tuple[str, str]) -> None:
    text, secret = case
    clean, kinds = redact_text(text)
    assert secret not in clean and kinds
    assert redact_text(clean) == (clean, [])


@settings(max_examples=400, deadline=None)
@given(secret_texts(), st.sampled_from(PLACES), st.booleans())
def test_a_generated_secret_never_survives_in_an_event(case: tuple[str, str], where: tuple[str, str, str],
                                                        as_json: bool) -> None:
    text, secret = case
    _name, event_type, path = where
    assume(secret not in json.dumps(template(event_type)))  # it is the secret's own text that must go
    if as_json:  # the text inside JSON text (a tool input), as agents send it
        text = json.dumps({"command": text})
    event = parse_obj(place(template(event_type), path, text[:128] if path == "attributes.key" else text))
    if secret not in json.dumps(event.model_dump(mode="json"), ensure_ascii=False):
        return  # cut by the attribute key limit
    clean = redact_event(event)
    assert secret not in json.dumps(clean.model_dump(mode="json"), ensure_ascii=False)


@settings(max_examples=300, deadline=None)
@given(secret_texts(), st.sampled_from(["plain", "escaped", "not json", "bad byte"]))
def test_a_generated_secret_never_survives_in_a_dead_letter(case: tuple[str, str], form: str) -> None:
    text, secret = case
    raw = json.dumps({"event_type": "nope", "note": text}, ensure_ascii=form == "escaped").encode()
    if form == "escaped":
        raw = raw.replace(secret[-1].encode(), f"\\u{ord(secret[-1]):04x}".encode())
    elif form == "not json":
        raw = text.encode()
    elif form == "bad byte":
        raw = raw.replace(secret[:3].encode(), secret[:3].encode() + b"\xff", 1)
        secret = secret[3:]
    assert secret.encode() not in redact_raw(raw)
