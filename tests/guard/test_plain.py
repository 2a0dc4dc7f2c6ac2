"""Plain shell text is split without the native parser: the split must be exactly the parser's
reading, on generated text and on every row of the command table."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guard import shell

TABLE = Path(__file__).with_name("commands.txt")
KEYWORDS = ["if", "then", "elif", "else", "fi", "case", "esac", "for", "select", "while", "until", "do",
            "done", "in", "function", "time", "coproc", "declare", "typeset", "export", "readonly",
            "local", "unset", "unsetenv", "eval", "exec", "source", ".", "test", "let", "alias",
            "builtin", "command", "trap", "shopt", "set", "return", "break", "continue", "exit",
            "true", "false", "nohup", "sudo", "env", "bash", "sh", "-c", "--", "-", "=", "==", "===",
            "a=", "=a", "a==b",
            "A=1", "--x=1", "2", "0", "1.5", "%1", "@", "+x", ":", ",", "..", "rm", "-rf", "/"]
SAFE = "abcXYZ019_./:,@%+=-"
WORD = st.one_of(st.sampled_from(KEYWORDS), st.text(alphabet=SAFE, min_size=1, max_size=8))
SEPARATOR = st.sampled_from([" ", "  ", "   "])
PLAIN_LIKE = st.lists(st.tuples(WORD, SEPARATOR), min_size=1, max_size=8).map(
    lambda parts: "".join(w + s for w, s in parts).rstrip(" "))
# near misses: characters that make text not plain, mixed in
NEAR = st.lists(st.sampled_from(list(SAFE) + [" ", "\t", "\n", "'", '"', "$", "#", "~", "\\", "{",
                                              "}", "*", "?", "!", "&", ";", "|", "<", ">", "(",
                                              "`", "[", "^"] + KEYWORDS), max_size=30).map("".join)


def _reading(parsed: shell.Parsed) -> tuple[object, ...]:
    return (parsed.commands, parsed.problems, parsed.over_budget)


def _check(text: str) -> bool:
    words = shell.plain_words(text)
    if words is None:
        return False
    native = shell.parse_native(text)
    assert _reading(native) == ([shell.Command(words)], [], []), text
    assert _reading(shell.parse(text)) == _reading(native), text
    return True


@settings(max_examples=1500, deadline=None)
@given(PLAIN_LIKE)
def test_plain_split_is_the_parsers_reading(text: str) -> None:
    _check(text)


@settings(max_examples=1500, deadline=None)
@given(NEAR)
def test_text_accepted_as_plain_is_read_alike(text: str) -> None:
    _check(text)


def test_every_table_row_reads_the_same_either_way() -> None:
    rows = [line.split("|", 2)[2].strip() for line in TABLE.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    plain = [text for text in rows if _check(text)]
    assert len(plain) > len(rows) // 2  # the common case takes the short way
    for text in rows:
        assert _reading(shell.parse(text)) == _reading(shell.parse_native(text)), text


@pytest.mark.parametrize("text", ["ls -la", "git status", "head -n 20 src/app.py",
                                  "env X=1 rm -rf /", "git push origin +main"])
def test_plain_examples(text: str) -> None:
    assert shell.plain_words(text) == tuple(text.split())


@pytest.mark.parametrize("text", ["", " ls", "ls ", "ls\t-l", "X=1 ls", "export A=1", "time ls",
                                  "ls ~", "echo $HOME", "rm -rf 'x'", "ls # c", "ls *.py", "a;b",
                                  "ls\nrm", "echo {a,b}", "if", "cat <x"])
def test_not_plain_examples(text: str) -> None:
    assert shell.plain_words(text) is None


def test_forbidden_native_parser_is_asked_for_not_loaded() -> None:
    shell.allow_native(False)
    try:
        assert [c.words for c in shell.parse("ls -la").commands] == [("ls", "-la")]
        with pytest.raises(shell.NeedsParser):
            shell.parse("ls | sh")
        with pytest.raises(shell.NeedsParser):
            shell.parse_native("ls")  # plain or not: the native parser is what is forbidden
        assert shell.parse("x" * (shell.MAX_CHARS + 1)).over_budget  # too long: no parse needed
    finally:
        shell.allow_native(True)
    assert [c.words for c in shell.parse("ls | sh").commands] == [("ls",), ("sh",)]
