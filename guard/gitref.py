"""The branch a repository has checked out, read from ``.git/HEAD`` (no git process)."""

from __future__ import annotations

import os


def current_branch(start: str | None) -> str | None:
    """The checked-out branch of the repository holding ``start``, or None if unknown."""
    if start is None:
        return None
    directory = start
    for _ in range(64):
        head = _head_file(directory)
        try:
            with open(head, encoding="utf-8") as handle:
                line = handle.read(512).strip()
        except OSError:
            parent = os.path.dirname(directory)
            if parent == directory:
                return None
            directory = parent
            continue
        return line.removeprefix("ref: refs/heads/") if line.startswith("ref: ") else None
    return None


def _head_file(directory: str) -> str:
    """``<dir>/.git/HEAD``, or the HEAD a ``.git`` file points to (worktrees, submodules)."""
    dot_git = os.path.join(directory, ".git")
    if os.path.isfile(dot_git):
        with open(dot_git, encoding="utf-8") as handle:
            target = handle.read(4096).strip().removeprefix("gitdir: ")
        return os.path.join(directory, target, "HEAD")
    return os.path.join(dot_git, "HEAD")
