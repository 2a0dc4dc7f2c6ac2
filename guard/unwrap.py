"""Seeing through commands that run other commands.

:func:`unwrap` turns ``sudo -u x env A=1 nice -n 5 rm -rf /`` into ``rm -rf /``, and says when the
real command is shell text to parse again: ``bash -c 'TEXT'``, ``su -c TEXT``, ``eval TEXT``,
``ssh host TEXT``, ``watch TEXT``, a shell reading its standard input. ``xargs CMD`` and ``find ...
-exec CMD ;`` give their command with an unknown argument appended.
"""

from __future__ import annotations

import posixpath
import re
from typing import NamedTuple

from guard.shell import DYNAMIC

SHELLS = {"sh", "bash", "zsh", "dash", "ksh", "ash", "mksh", "fish", "busybox"}

# wrapper -> options that take a value (the value is skipped too)
_PREFIXES: dict[str, set[str]] = {
    "sudo": {"-u", "-g", "-h", "-p", "-C", "-D", "-r", "-t", "-U", "-T", "--user", "--group",
             "--host", "--prompt", "--chdir", "--role", "--type", "--close-from", "--other-user"},
    "doas": {"-u", "-C"},
    "nice": {"-n", "--adjustment"},
    "nohup": set(),
    "time": {"-f", "-o", "--format", "--output"},
    "command": set(),
    "builtin": set(),
    "exec": {"-a"},
    "stdbuf": {"-i", "-o", "-e"},
    "ionice": {"-c", "-n", "-p", "-P", "-u"},
    "chrt": {"-p"},
    "setsid": set(),
    "unbuffer": set(),
    "caffeinate": {"-t", "-w"},
    "strace": {"-e", "-o", "-p", "-s", "-u", "-E"},
    "ltrace": {"-e", "-o", "-p", "-s", "-u"},
    "torsocks": set(),
    "proxychains": {"-f"},
    "proxychains4": {"-f"},
    "catchsegv": set(),
    "firejail": set(),
    "retry": {"-t", "--times", "-d", "--delay"},
}
_POSITIONAL = {"timeout": 1, "chroot": 1, "taskset": 1, "flock": 1, "chrt": 1}
_XARGS_VALUE = {"-I", "-i", "-n", "-P", "-L", "-l", "-d", "-E", "-e", "-s", "-a", "--arg-file",
                "--delimiter", "--max-args", "--max-procs", "--max-lines", "--replace"}
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_ENV_VALUE = {"-u", "--unset", "-C", "--chdir", "-S", "--split-string"}


class Inner(NamedTuple):
    """The command a wrapper runs (its words) or the shell text it runs."""

    words: tuple[str, ...] = ()
    text: str | None = None
    via: str = ""
    stdin_code: bool = False  # a shell that reads its program from standard input


def name_of(word: str) -> str:
    """The command name as the shell finds it: ``/usr/bin/RM`` -> ``rm``."""
    return posixpath.basename(word).lower()


def unwrap(words: tuple[str, ...]) -> Inner | None:
    """The command ``words`` runs in turn, or None when it runs none (or it is not a wrapper)."""
    if not words:
        return None
    name, rest = name_of(words[0]), words[1:]
    if name in SHELLS:
        return _shell(name, rest)
    if name == "eval":
        return Inner(text=" ".join(rest), via="eval") if rest else None
    if name == "env":
        return _env(rest)
    if name in ("su", "runuser"):
        return _su(name, rest)
    if name in ("ssh", "watch"):
        return _joined(name, rest)
    if name == "xargs":
        return _xargs(rest)
    if name in _PREFIXES or name in _POSITIONAL:
        inner = _skip_options(rest, _PREFIXES.get(name, set()))
        inner = inner[_POSITIONAL.get(name, 0):]
        while name in ("sudo", "doas") and inner and _ASSIGNMENT.match(inner[0]):
            inner = inner[1:]  # sudo VAR=value command
        return Inner(inner, via=name) if inner else None
    return None


def _xargs(rest: tuple[str, ...]) -> Inner | None:
    """``xargs [-I R] CMD``: CMD with its input appended, or put in place of R (unknown text)."""
    replace = None
    for i, word in enumerate(rest):
        if word in ("-I", "--replace") and i + 1 < len(rest):
            replace = rest[i + 1]
        elif word.startswith("--replace="):
            replace = word.split("=", 1)[1]
        elif word.startswith("-I") and len(word) > 2:
            replace = word[2:]
        elif word == "-i" or word == "--replace":
            replace = "{}"
    inner = _skip_options(rest, _XARGS_VALUE)
    if not inner:
        return None
    if replace:
        return Inner(tuple(w.replace(replace, DYNAMIC + "xargs-input") for w in inner), via="xargs")
    return Inner(inner + (DYNAMIC + "xargs-input",), via="xargs")


def _skip_options(rest: tuple[str, ...], with_value: set[str]) -> tuple[str, ...]:
    i = 0
    while i < len(rest) and rest[i].startswith("-") and rest[i] != "-":
        if rest[i] == "--":
            return rest[i + 1:]
        i += 2 if rest[i] in with_value else 1
    return rest[i:]


def _shell(name: str, rest: tuple[str, ...]) -> Inner:
    if name == "busybox" and rest and name_of(rest[0]) in SHELLS:
        rest = rest[1:]
    i = 0
    while i < len(rest) and rest[i].startswith(("-", "+")) and rest[i] not in ("-", "--"):
        option = rest[i]
        if option in ("-o", "+o", "-O", "+O", "--rcfile", "--init-file"):
            i += 2
            continue
        if not option.startswith("--") and "c" in option[1:]:
            text = rest[i + 1] if i + 1 < len(rest) else ""
            return Inner(text=text, via=f"{name} -c")
        i += 1
    script = rest[i:]
    if script and script[0] == "--":
        script = script[1:]
    if not script or script[0] == "-" or (script[0] == "/dev/stdin"):
        return Inner(via=name, stdin_code=True)
    return Inner(("<script>", *script), via=name)


def _env(rest: tuple[str, ...]) -> Inner | None:
    i = 0
    while i < len(rest):
        word = rest[i]
        if word in ("-S", "--split-string") and i + 1 < len(rest):
            return Inner(text=" ".join(rest[i + 1:]), via="env -S")
        if word == "--":
            i += 1
            break
        if word.startswith("-"):
            i += 2 if word in _ENV_VALUE else 1
        elif "=" in word and not word.startswith("="):
            i += 1
        else:
            break
    inner = rest[i:]
    return Inner(inner, via="env") if inner else None


def _su(name: str, rest: tuple[str, ...]) -> Inner | None:
    for i, word in enumerate(rest):
        if word in ("-c", "--command") and i + 1 < len(rest):
            return Inner(text=rest[i + 1], via=f"{name} -c")
        if word.startswith("--command="):
            return Inner(text=word.split("=", 1)[1], via=f"{name} -c")
    return Inner(("<interactive-shell>",), via=name)


def _joined(name: str, rest: tuple[str, ...]) -> Inner | None:
    """``ssh [opts] host CMD...`` and ``watch [opts] CMD...`` run their words as shell text."""
    with_value = {"-i", "-p", "-l", "-o", "-F", "-J", "-L", "-R", "-D", "-W", "-b", "-c", "-e", "-m",
                  "-S", "-E", "-B", "-I", "-Q", "-w"} if name == "ssh" else {"-n", "--interval", "-d"}
    inner = _skip_options(rest, with_value)
    if name == "ssh":
        inner = inner[1:]  # the host
    return Inner(text=" ".join(inner), via=name) if inner else None
