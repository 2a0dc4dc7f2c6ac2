"""Paths as the guard sees them: resolved against the current directory, matched by globs.

Glob rules (gitignore-like): ``*`` and ``?`` stay within one path component, ``**`` crosses them;
a pattern without ``/`` matches any path whose last component matches (``node_modules`` matches
``<workspace>/web/node_modules``); a pattern with ``/`` is relative to the workspace unless it
starts with ``/`` or ``~/`` (absolute). A path that cannot be known before the command runs (it
holds an expansion) resolves to ``None`` and matches no pattern.
"""

from __future__ import annotations

import functools
import posixpath
import re

from guard.shell import DYNAMIC


def resolve(path: str, cwd: str | None, home: str) -> str | None:
    """The absolute, normalised path, or None when it depends on the run."""
    if DYNAMIC in path or not path:
        return None
    if path == "~" or path.startswith("~/"):
        path = home + path[1:]
    elif path.startswith("~"):
        return None  # another user's home
    if not path.startswith("/"):
        if cwd is None:
            return None
        path = posixpath.join(cwd, path)
    return posixpath.normpath(path).replace("//", "/")


def inside(path: str, root: str) -> bool:
    """``path`` is ``root`` or below it."""
    return path == root or path.startswith(root.rstrip("/") + "/")


@functools.lru_cache(maxsize=512)
def _regex(pattern: str) -> re.Pattern[str]:
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def matches(pattern: str, path: str, workspace: str, home: str) -> bool:
    """Whether absolute ``path`` matches ``pattern`` (see the module docstring)."""
    if pattern.startswith("~/"):
        pattern = home + pattern[1:]
    if pattern.startswith("/"):
        return bool(_regex(pattern.rstrip("/") or "/").match(path))
    if "/" not in pattern.rstrip("/"):
        return bool(_regex(pattern.rstrip("/")).match(posixpath.basename(path)))
    if not inside(path, workspace):
        return False
    relative = posixpath.relpath(path, workspace)
    return bool(_regex(pattern.rstrip("/")).match(relative))


def matches_any(patterns: tuple[str, ...], path: str, workspace: str, home: str) -> bool:
    return any(matches(p, path, workspace, home) for p in patterns)
