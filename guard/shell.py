"""Shell text -> the simple commands it would run, with a real parser (tree-sitter, bash grammar).

Every ``command`` node of the syntax tree becomes a :class:`Command`: its words with quoting and
backslashes resolved (``"rm"``, ``\\rm`` and ``r\\m`` are all ``rm``), the files it writes through
redirections, and what its standard input carries when that is known text (``echo ... | sh``,
``<<EOF`` here-documents, ``<<<`` here-strings). Commands inside command substitutions, process
substitutions, subshells, lists, pipelines, loops, conditions and functions are all collected.
Variables assigned literally earlier in the same text are substituted (``X=rm; $X -rf /``); any
other expansion is *dynamic* and marked so.

Bounded: at most :data:`MAX_CHARS` of text, :data:`MAX_NODES` syntax nodes, :data:`MAX_TREE_DEPTH`
levels and a wall-clock budget; beyond any of them the result carries a ``problem`` and the caller
applies the policy's over-budget tier. A syntax error is a ``problem`` too (the commands found
around it are still returned).

Plain text - a command name of letters, digits and ``_./-`` (not first), arguments also with
``:,@%+=``, separated by spaces, no reserved or declaration word, no ``==`` - means in bash exactly
its words, so it is split here without loading the parser (:func:`plain_words`; property tests hold
it equal to the parser's reading). While :func:`allow_native` is off, any other text raises
:class:`NeedsParser` instead of loading the native parser, so that a caller can run that parse
where a crash cannot take it down.
"""

from __future__ import annotations

import re
import time
from typing import Any, NamedTuple

MAX_CHARS = 16_384
MAX_NODES = 10_000
MAX_TREE_DEPTH = 120
BUDGET_S = 1.0  # wall time for the parse and the walk; generous so a loaded machine stays under it
DYNAMIC = "\x00"  # marks a word part whose value is unknown before the command runs

_parser: Any = None
_native_allowed = True


class NeedsParser(Exception):
    """The text is not plain and the native parser is not allowed here (see :func:`allow_native`)."""


class Command(NamedTuple):
    """One simple command as the shell would run it."""

    words: tuple[str, ...]
    redirects: tuple[str, ...] = ()  # files written through >, >>, &>, >|
    stdin_text: str | None = None  # known text fed to standard input
    stdin_piped: bool = False  # fed by another command's output (unknown text unless stdin_text)



class Parsed:
    """The commands found, syntax errors, and why inspection stopped early (if it did)."""

    __slots__ = ("commands", "problems", "over_budget")

    def __init__(self) -> None:
        self.commands: list[Command] = []
        self.problems: list[str] = []
        self.over_budget: list[str] = []

    def __repr__(self) -> str:
        return f"Parsed(commands={self.commands}, problems={self.problems}, over_budget={self.over_budget})"


class _Budget:
    def __init__(self, deadline: float) -> None:
        self.deadline, self.nodes = deadline, 0

    def spend(self) -> bool:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            return False
        return bool(self.nodes & 255) or time.monotonic() < self.deadline


def allow_native(allowed: bool) -> None:
    """Allow (the default) or forbid loading and running the native parser in this process."""
    global _native_allowed
    _native_allowed = allowed


def parser() -> Any:
    """The bash parser (built once per process); :class:`NeedsParser` while it is not allowed."""
    global _parser
    if not _native_allowed:
        raise NeedsParser("shell text that is not plain needs the native parser")
    if _parser is None:
        import tree_sitter_bash
        from tree_sitter import Language, Parser

        _parser = Parser(Language(tree_sitter_bash.language()))
    return _parser


def parse(text: str, deadline: float | None = None) -> Parsed:
    """The commands ``text`` would run (see the module docstring)."""
    words = plain_words(text) if len(text) <= MAX_CHARS else None
    if words is not None:
        out = Parsed()
        out.commands.append(Command(words))
        return out
    return parse_native(text, deadline)


def parse_native(text: str, deadline: float | None = None) -> Parsed:
    """What :func:`parse` returns, always read by the native parser (plain text included)."""
    out = Parsed()
    if len(text) > MAX_CHARS:
        out.over_budget.append(f"command longer than {MAX_CHARS} characters ({len(text)})")
        return out
    if deadline is None:
        deadline = time.monotonic() + BUDGET_S
    source = text.encode("utf-8", "surrogatepass")
    tree = parser().parse(_ascii_shape(source))
    walker = _Walker(source, _Budget(deadline), out)
    walker.visit(tree.root_node, 0, _Stdin())
    if tree.root_node.has_error and not out.over_budget:
        out.problems.append(f"shell syntax error near byte {_first_error(tree.root_node)}")
    return out


_NON_ASCII = re.compile(rb"[\x80-\xff]")
# a command name of letters, digits and ``_./-`` (not first), arguments also with ``:,@%+=``
_PLAIN = re.compile(r"[A-Za-z0-9_./][A-Za-z0-9_./-]*(?: +[A-Za-z0-9_./:,@%+=-]+)*")
# words that make bash (or the grammar: ``==``) read the text as other than a simple command
_NOT_PLAIN = {"if", "then", "elif", "else", "fi", "case", "esac", "for", "select", "while", "until",
              "do", "done", "in", "function", "time", "coproc", "declare", "typeset", "export",
              "readonly", "local", "unset", "unsetenv", "=="}


def plain_words(text: str) -> tuple[str, ...] | None:
    """The words of ``text`` when it is plain (see the module docstring), else None."""
    if not _PLAIN.fullmatch(text):
        return None
    words = tuple(text.split())
    if not _NOT_PLAIN.isdisjoint(words):
        return None
    return words


def _ascii_shape(source: bytes) -> bytes:
    """``source`` with every non-ASCII byte replaced by ``a``: byte offsets stay the same (word text
    is read from the original bytes), and the grammar's scanner, which crashes the process on some
    code points (``{`` followed by U+E0000, for one), sees only ASCII. Bash treats those bytes as
    word characters, as it treats ``a``."""
    return _NON_ASCII.sub(b"a", source)


def _first_error(root: Any) -> int:
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            return int(node.start_byte)
        if node.has_error:
            stack.extend(reversed(node.children))
    return 0


class _Stdin(NamedTuple):
    text: str | None = None
    piped: bool = False


_WRITE_REDIRECTS = {">", ">>", "&>", "&>>", ">|", ">&"}
_ECHOES = {"echo", "printf"}


class _Walker:
    def __init__(self, source: bytes, budget: _Budget, out: Parsed) -> None:
        self.source, self.budget, self.out = source, budget, out
        self.variables: dict[str, str] = {}

    def text(self, node: Any) -> str:
        return self.source[node.start_byte:node.end_byte].decode("utf-8", "replace")

    # -- traversal ------------------------------------------------------------------------
    def visit(self, node: Any, depth: int, stdin: _Stdin) -> None:
        if self.out.over_budget:
            return
        if depth > MAX_TREE_DEPTH:
            self.out.over_budget.append(f"shell nesting deeper than {MAX_TREE_DEPTH} levels")
            return
        if not self.budget.spend():
            self.out.over_budget.append("shell text too complex to inspect within the time budget")
            return
        kind = node.type
        if kind == "command":
            self.command(node, depth, stdin, ())
        elif kind == "redirected_statement":
            self.redirected(node, depth, stdin)
        elif kind == "pipeline":
            self.pipeline(node, depth, stdin)
        elif kind == "variable_assignment":
            self.assignment(node, depth)
        else:
            for child in node.children:
                self.visit(child, depth + 1, stdin if kind in _PASS_STDIN else _Stdin())

    def pipeline(self, node: Any, depth: int, stdin: _Stdin) -> None:
        feed = stdin
        for child in node.named_children:
            self.visit(child, depth + 1, feed)
            feed = _Stdin(self.echoed(child), piped=True)

    def echoed(self, node: Any) -> str | None:
        """The text an ``echo``/``printf`` of literal words writes, else None."""
        if node.type != "command":
            return None
        from guard.unwrap import name_of, unwrap

        words = tuple(self.word(c) for c in node.named_children if c.type != "variable_assignment"
                      and c.type != "file_redirect")
        for _ in range(8):  # sudo echo ..., env X=1 echo ...
            inner = unwrap(words)
            if inner is None or not inner.words:
                break
            words = inner.words
        if not words or name_of(words[0]) not in _ECHOES or any(DYNAMIC in w for w in words):
            return None
        args = [w for w in words[1:] if not re.fullmatch(r"-[neE]+", w)]
        return " ".join(args).replace("\\n", "\n")

    def redirected(self, node: Any, depth: int, stdin: _Stdin) -> None:
        writes: list[str] = []
        for child in node.children:
            if child.type == "file_redirect":
                writes += self.redirect_target(child)
            elif child.type in ("heredoc_redirect", "herestring_redirect"):
                stdin = _Stdin(self.fed_text(child), piped=False)
        body = node.child_by_field_name("body")
        if body is None:
            return
        for child in node.children:
            if child.type in ("file_redirect", "heredoc_redirect", "herestring_redirect"):
                self.visit_inner_expansions(child, depth + 1)
        if body.type == "command":
            self.command(body, depth + 1, stdin, tuple(writes))
        else:
            for target in writes:
                self.out.commands.append(Command((":",), (target,)))
            self.visit(body, depth + 1, stdin)

    def visit_inner_expansions(self, node: Any, depth: int) -> None:
        for child in node.named_children:
            if child.type in ("command_substitution", "process_substitution"):
                self.visit(child, depth + 1, _Stdin())
            elif child.named_children:
                self.visit_inner_expansions(child, depth + 1)

    def fed_text(self, node: Any) -> str | None:
        if node.type == "herestring_redirect":
            values = [self.word(c) for c in node.named_children]
            return None if not values or DYNAMIC in values[-1] else values[-1]
        for child in node.named_children:
            if child.type == "heredoc_body":
                return self.text(child)
        return None

    def redirect_target(self, node: Any) -> list[str]:
        operator = next((c.type for c in node.children if not c.is_named), "")
        destination = node.child_by_field_name("destination")
        if operator not in _WRITE_REDIRECTS or destination is None:
            return []
        target = self.word(destination)
        return [] if operator == ">&" and target.isdigit() else [target]

    def assignment(self, node: Any, depth: int) -> None:
        name, value = node.child_by_field_name("name"), node.child_by_field_name("value")
        if value is not None:
            self.visit_inner_expansions(node, depth)
            if value.type == "command_substitution":
                self.visit(value, depth + 1, _Stdin())
        if name is not None:
            self.variables[self.text(name)] = self.word(value) if value is not None else ""

    def command(self, node: Any, depth: int, stdin: _Stdin, writes: tuple[str, ...]) -> None:
        words: list[str] = []
        redirects = list(writes)
        for child in node.children:
            if child.type == "variable_assignment":
                continue  # a prefix assignment changes the command's environment only
            if child.type == "file_redirect":
                redirects += self.redirect_target(child)
            elif child.type in ("herestring_redirect", "heredoc_redirect"):
                stdin = _Stdin(self.fed_text(child), piped=False)
            elif child.is_named:
                words.append(self.word(child))
        self.visit_inner_expansions(node, depth)
        if words or redirects:
            self.out.commands.append(Command(tuple(words) or (":",), tuple(redirects), stdin.text,
                                             stdin.piped))

    # -- words ------------------------------------------------------------------------------
    def word(self, node: Any) -> str:
        kind = node.type
        if kind == "command_name":
            return "".join(self.word(c) for c in node.named_children) or self.text(node)
        if kind in ("word", "number", "special_variable_name"):
            return _unescape(self.text(node))
        if kind == "raw_string":
            return self.text(node)[1:-1]
        if kind == "ansi_c_string":
            return _ansi_c(self.text(node)[2:-1])
        if kind in ("string", "translated_string"):
            return self.string(node)
        if kind == "concatenation":
            return "".join(self.word(c) for c in node.named_children) if node.named_children \
                else _unescape(self.text(node))
        if kind in ("simple_expansion", "expansion"):
            return self.expansion(node)
        return DYNAMIC + self.text(node)

    def string(self, node: Any) -> str:
        start = node.start_byte + (2 if node.type == "translated_string" else 1)
        end = max(start, node.end_byte - 1)
        parts: list[str] = []
        at = start
        for child in node.named_children:
            if child.type == "string_content":
                continue
            parts.append(_unescape_dq(self.source[at:child.start_byte].decode("utf-8", "replace")))
            parts.append(self.word(child))
            at = child.end_byte
        parts.append(_unescape_dq(self.source[at:end].decode("utf-8", "replace")))
        return "".join(parts)

    def expansion(self, node: Any) -> str:
        raw = self.text(node)
        name = raw.lstrip("$").strip("{}")
        if name in self.variables:
            return self.variables[name]
        if name == "HOME":
            return "~"
        return DYNAMIC + raw


_PASS_STDIN = {"subshell", "compound_statement"}
_ESCAPED = re.compile(r"\\(.)", re.DOTALL)
_DQ_ESCAPED = re.compile(r"\\([$`\"\\\n])")


def _unescape(text: str) -> str:
    return _ESCAPED.sub(lambda m: "" if m.group(1) == "\n" else m.group(1), text)


def _unescape_dq(text: str) -> str:
    return _DQ_ESCAPED.sub(lambda m: "" if m.group(1) == "\n" else m.group(1), text)


def _ansi_c(text: str) -> str:
    try:
        return text.encode("latin-1", "backslashreplace").decode("unicode_escape")
    except UnicodeDecodeError:
        return _unescape(text)
