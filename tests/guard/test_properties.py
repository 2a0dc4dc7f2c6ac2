"""Property tests: the parser never hangs or crashes on any text, and wrapping a destructive command
never lowers its tier."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis import given, settings
from hypothesis import strategies as st

from guard import shell
from guard.analyze import analyze
from guard.findings import RANK, Scene, highest
from tests.guard.conftest import HOME, WORKSPACE

SHELL_ALPHABET = st.sampled_from(list("abcrmf -/\\'\"$(){}[];|&<>`!*~=#\n\t0")
                                 + ["$(", "<<", "<<<", "||", "&&", "rm -rf /", "bash -c "])
SHELL_TEXT = st.lists(SHELL_ALPHABET, max_size=200).map("".join)
DESTRUCTIVE = ["rm -rf /var/lib/data", "terraform destroy", "kubectl delete ns payments",
               "git push --force origin main", "psql -c 'DROP TABLE users'", "git reset --hard",
               "aws s3 rm s3://b --recursive", "dd if=/dev/zero of=/dev/sda", "helm uninstall api"]


def scene() -> Scene:
    return Scene(workspace=WORKSPACE, home=HOME)


@contextmanager
def no_hang(seconds: int = 60) -> Iterator[None]:
    """Turn a hang into a failure instead of a stuck run (a guard, not a speed check: speed is
    bench/hook.py's)."""
    def hung(signum: int, frame: object) -> None:
        raise TimeoutError(f"no answer within {seconds} s: the parser hangs")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


# (wraps only a simple command, gives one other wrappers can run, wrapper): `nice A=b rm` or
# `sudo ( rm )` are not valid compositions (nice would run a program named A=b)
WRAPPERS = [
    (True, True, lambda c: f"sudo {c}"), (True, True, lambda c: f"env X=1 {c}"),
    (True, True, lambda c: f"nice -n 5 {c}"), (True, False, lambda c: f"A=b {c}"),
    (True, True, lambda c: f"timeout 5 {c}"), (True, False, lambda c: f"sudo A=b {c}"),
    (False, True, lambda c: f"bash -c {_quote(c)}"), (False, True, lambda c: f"sh -c {_quote(c)}"),
    (False, True, lambda c: f"eval {_quote(c)}"),
    (False, True, lambda c: f"echo $( {c} )"),  # without the space, `$((` is arithmetic
    (False, False, lambda c: f"true; {c}"), (False, False, lambda c: f"{c}; true"),
    (False, False, lambda c: f"( {c} )"), (False, False, lambda c: f"ls && {c}"),
    (False, False, lambda c: f"{c} | tee out.log"), (False, False, lambda c: f"echo {_quote(c)} | bash"),
    (True, False, lambda c: f"nohup {c} &"),
]
WRAP = st.sampled_from(WRAPPERS)


@settings(max_examples=400, deadline=None)
@given(SHELL_TEXT)
def test_parser_never_crashes_or_hangs_on_shell_like_text(text: str) -> None:
    with no_hang():
        findings = analyze(text, scene())
    assert findings and all(f.tier in RANK for f in findings)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_parser_never_crashes_on_arbitrary_unicode(text: str) -> None:
    parsed = shell.parse(text)
    assert isinstance(parsed.commands, list)
    assert analyze(text, scene())


def test_pathological_input_ends_in_the_over_budget_or_fallback_tier() -> None:
    for text in ["$(" * 5000, "(" * 8000, "a|" * 9000 + "b", "x " * 20000, "bash -c " * 3000,
                 "eval " + "'eval " * 50 + "rm -rf /"]:
        with no_hang():
            tiers = {f.tier for f in analyze(text, scene())}
        assert tiers & {"destructive", "mutate_config"}, text[:40]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(DESTRUCTIVE), st.lists(WRAP, min_size=1, max_size=4))
def test_wrapping_never_lowers_the_tier(command: str, wraps: list) -> None:  # type: ignore[type-arg]
    wrapped, simple = command, True
    for needs_simple, gives_simple, wrap in wraps:
        if needs_simple and not simple:  # `sudo ( x )` is not shell: wrap the compound in sh -c first
            wrapped = f"sh -c {_quote(wrapped)}"
        wrapped, simple = wrap(wrapped), gives_simple
    assert RANK[highest(analyze(wrapped, scene()))] >= RANK["destructive"], wrapped
