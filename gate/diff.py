"""One change's files and diff: what the gate reads, from git or from a list of paths.

``parse_patch`` reads ``git diff -U0`` output: per file its path (the new path; the old one for a
deletion), lines added and deleted, and the added and removed lines themselves (the detectors'
input). Binary files count no lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FileDiff:
    path: str
    lines_added: int = 0
    lines_deleted: int = 0
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def _path(header: str) -> str | None:
    """``+++ b/x`` / ``--- a/x`` -> ``x``; ``/dev/null`` -> None; quoted names unquoted."""
    name = header[4:].rstrip("\n")
    if name == "/dev/null":
        return None
    if name.startswith('"') and name.endswith('"'):
        name = name[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")
        name = name.encode("latin-1").decode("utf-8", "replace")
    return name[2:] if name[:2] in ("a/", "b/") else name


def parse_patch(text: str) -> list[FileDiff]:
    """Files of a unified diff in the order git printed them."""
    files: list[FileDiff] = []
    current: FileDiff | None = None
    old: str | None = None
    in_hunk = False
    for line in text.split("\n"):
        head = line[:1]
        if in_hunk and head == "+":  # the bulk of a patch: tested first
            current.lines_added += 1  # type: ignore[union-attr]
            current.added.append(line[1:])  # type: ignore[union-attr]
        elif in_hunk and head == "-":
            current.lines_deleted += 1  # type: ignore[union-attr]
            current.removed.append(line[1:])  # type: ignore[union-attr]
        elif line.startswith("diff --git "):
            current, old, in_hunk = None, None, False
            files.append(FileDiff(_from_diff_git(line)))
            current = files[-1]
        elif current is None:
            continue
        elif line.startswith("@@"):
            in_hunk = True
        elif not in_hunk and line.startswith("rename to "):
            current.path = line[len("rename to "):]
        elif not in_hunk and line.startswith("--- "):
            old = _path(line)
        elif not in_hunk and line.startswith("+++ "):
            current.path = _path(line) or old or current.path
    return files


def _from_diff_git(line: str) -> str:
    """The b-side path of a ``diff --git a/x b/x`` line (a fallback when no ---/+++ follow)."""
    rest = line[len("diff --git "):]
    half = rest[len(rest) // 2 + 1:] if len(rest) % 2 else rest
    return half[2:] if half.startswith("b/") else half


def from_paths(paths: list[str]) -> list[FileDiff]:
    """Files named on the command line: paths only, no lines, no diff."""
    return [FileDiff(p) for p in dict.fromkeys(paths)]
