"""Shell text -> findings: parse, see through wrappers and nested shells, classify, check paths.

Nested shell text (``bash -c``, ``eval``, ``ssh host CMD``, code piped into a shell) is parsed again,
at most :data:`MAX_NESTING` levels deep; deeper, too long, too complex or too slow text gets the
policy's over-budget tier, text with a syntax error also the fallback tier, a shell reading code
from another command's output the fallback tier. ``cd DIR`` moves the directory later relative
paths resolve against.
"""

from __future__ import annotations

import time

from guard import shell
from guard.classify import classify
from guard.findings import Finding, Scene, short
from guard.paths import inside, matches_any, resolve
from guard.unwrap import name_of, unwrap

MAX_NESTING = 6
MAX_HOPS = 32
_SAFE_SINKS = {"/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty", "/dev/zero"}
_DEVICES = ("/dev/sd", "/dev/hd", "/dev/vd", "/dev/xvd", "/dev/nvme", "/dev/disk", "/dev/rdisk",
            "/dev/mmcblk", "/dev/md", "/dev/mapper/")
# commands whose plain operands are files they write or delete
_WRITERS = {"cp", "mv", "tee", "sed", "gsed", "touch", "ln", "install", "truncate", "chmod", "chown",
            "chgrp", "rm", "rmdir", "unlink", "shred", "patch", "rsync", "dd", "mkdir"}


def analyze(text: str, scene: Scene, deadline: float | None = None) -> list[Finding]:
    """Findings of shell ``text`` run in ``scene`` (never empty)."""
    if deadline is None:
        deadline = time.monotonic() + shell.BUDGET_S
    return _script(text, scene, 0, deadline) or [Finding("read", "empty", "(no command)")]


def _script(text: str, scene: Scene, depth: int, deadline: float) -> list[Finding]:
    if depth > MAX_NESTING:
        return [Finding(scene.over_budget_tier, "over-budget",
                        f"shell text nested more than {MAX_NESTING} levels")]
    parsed = shell.parse(text, deadline)
    found = [Finding(scene.over_budget_tier, "over-budget", p) for p in parsed.over_budget]
    found += [Finding(scene.fallback_tier, "unparsable", p) for p in parsed.problems]
    for command in parsed.commands:
        if time.monotonic() > deadline:
            return found + [Finding(scene.over_budget_tier, "over-budget",
                                    "command too complex to inspect within the time budget")]
        found += _command(command.words, command, scene, depth, deadline)
        found += _redirects(command.redirects, scene)
    return found


def _command(words: tuple[str, ...], command: shell.Command, scene: Scene, depth: int,
             deadline: float) -> list[Finding]:
    for _ in range(MAX_HOPS):
        inner = unwrap(words)
        if inner is None:
            return _simple(words, command, scene, depth, deadline)
        if inner.text is not None:
            return _script(inner.text, scene.copy(), depth + 1, deadline)
        if inner.stdin_code:
            return _shell_stdin(inner.via, command, scene, depth, deadline)
        words = inner.words
    return [Finding(scene.over_budget_tier, "over-budget", f"more than {MAX_HOPS} wrapped commands")]


def _shell_stdin(via: str, command: shell.Command, scene: Scene, depth: int,
                 deadline: float) -> list[Finding]:
    if command.stdin_text is not None:
        return _script(command.stdin_text, scene.copy(), depth + 1, deadline)
    if command.stdin_piped:
        return [Finding(scene.fallback_tier, "shell-reads-pipe", f"{via} runs code from a pipe")]
    return [Finding(scene.fallback_tier, "interactive-shell", f"{via} without a command")]


def _simple(words: tuple[str, ...], command: shell.Command, scene: Scene, depth: int,
            deadline: float) -> list[Finding]:
    name = name_of(words[0])
    if name in ("cd", "pushd") and len(words) > 1:
        scene.cwd = resolve(words[1], scene.cwd, scene.home)
    found = classify(words, scene, command.stdin_text)
    for inner in _inner_commands(name, words, scene):
        found += _command(inner, shell.Command(inner), scene, depth, deadline)
    if name in _WRITERS:
        found += _protected(_operands(words), words, scene)
    return found


def _operands(words: tuple[str, ...]) -> list[str]:
    out = [w[3:] if w.startswith("of=") else w for w in words[1:] if not w.startswith("-")]
    return [w for w in out if "=" not in w or w.startswith("/")]


def _inner_commands(name: str, words: tuple[str, ...], scene: Scene) -> list[tuple[str, ...]]:
    """``find -exec CMD ;`` (``{}`` becomes a path under the search root) and ``kubectl exec -- CMD``."""
    if name == "find":
        root = next((w for w in words[1:] if not w.startswith(("-", "(", "!"))), ".")
        found: list[tuple[str, ...]] = []
        for i, word in enumerate(words):
            if word in ("-exec", "-execdir", "-ok", "-okdir"):
                end = next((j for j in range(i + 1, len(words)) if words[j] in (";", "+")), len(words))
                inner = tuple(root.rstrip("/") + "/__found__" if w == "{}" else w for w in words[i + 1:end])
                found += [inner] if inner else []
        return found
    if name in ("kubectl", "oc") and "exec" in words and "--" in words:
        inner = words[words.index("--") + 1:]
        return [inner] if inner else []
    if name in ("docker", "podman"):
        return _container_exec(words)
    return []


_EXEC_VALUE = {"-e", "--env", "-u", "--user", "-w", "--workdir", "--env-file"}


def _container_exec(words: tuple[str, ...]) -> list[tuple[str, ...]]:
    """``docker exec [opts] CONTAINER CMD...`` and ``docker compose exec [opts] SERVICE CMD...``."""
    at = 1
    if words[at:at + 1] == ("compose",):
        at += 1
    if words[at:at + 1] != ("exec",):
        return []
    rest, i = words[at + 1:], 0
    while i < len(rest) and rest[i].startswith("-"):
        i += 2 if rest[i] in _EXEC_VALUE else 1
    inner = rest[i + 1:]
    return [inner] if inner else []


def _redirects(targets: tuple[str, ...], scene: Scene) -> list[Finding]:
    found: list[Finding] = []
    for target in targets:
        path = resolve(target, scene.cwd, scene.home)
        what = f"> {short([target])}"
        if path in _SAFE_SINKS or (path or "").startswith("/dev/fd/"):
            continue
        if path is not None and path.startswith(_DEVICES):
            found.append(Finding("destructive", "disk-write", what, (path,)))
        elif path is not None and matches_any(scene.protected, path, scene.workspace, scene.home):
            found.append(Finding("mutate_config", "protected-path", what, (path,)))
        elif path is None or not inside(path, scene.workspace):
            found.append(Finding("mutate", "write-outside-workspace", what, (path or target,)))
        else:
            found.append(Finding("mutate", "write", what, (path,)))
    return found


def _protected(operands: list[str], words: tuple[str, ...], scene: Scene) -> list[Finding]:
    hits = []
    for operand in operands:
        path = resolve(operand, scene.cwd, scene.home)
        if path is not None and matches_any(scene.protected, path, scene.workspace, scene.home):
            hits.append(path)
    return [Finding("mutate_config", "protected-path", short(words), tuple(hits))] if hits else []
