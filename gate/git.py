"""Read a commit range from git: its diff and its commits' authors and messages (two git calls)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from aftershock.errors import ConfigError
from gate.diff import FileDiff, parse_patch

_DIFF = ("diff", "-U0", "--no-color", "--no-ext-diff", "--find-renames")
_RECORD, _FIELD = "\x1e", "\x1f"


@dataclass(frozen=True)
class Commit:
    sha: str
    author: str
    message: str


@dataclass(frozen=True)
class GitChange:
    files: list[FileDiff]
    commits: list[Commit]
    remote: str | None


def _git(repo: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(repo), *args],  # noqa: S607 (git from PATH, as CI has it)
                              capture_output=True, check=False)
    except OSError as exc:
        raise ConfigError(f"git ({repo}): cannot run git ({exc.strerror}): install git") from exc
    if done.returncode != 0:
        err = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ConfigError(f"git {' '.join(args[:2])} ({repo}): {err[0] if err else 'failed'}: "
                          "check --git RANGE and --repo DIR")
    return done.stdout.decode("utf-8", "replace")


def _range(spec: str) -> tuple[str, str]:
    """``A..B`` -> (A, B); ``A...B`` -> (merge-base side, B); a single rev R -> (R^, R)."""
    if "..." in spec:
        base, _, head = spec.partition("...")
        return f"{base or 'HEAD'}...{head or 'HEAD'}", spec
    if ".." in spec:
        base, _, head = spec.partition("..")
        return f"{base or 'HEAD'}..{head or 'HEAD'}", spec
    return f"{spec}^..{spec}", spec


def read_range(repo: Path, spec: str) -> GitChange:
    """Files (with their diff) and commits of ``spec`` in the repository at ``repo``."""
    rng, _ = _range(spec)
    if rng.startswith("-"):
        raise ConfigError(f"--git {spec!r} (command line): a range may not start with '-'")
    patch = _git(repo, *_DIFF, rng, "--")
    fmt = f"--format=%H{_FIELD}%an <%ae>{_FIELD}%B{_RECORD}"
    log = _git(repo, "log", fmt, rng.replace("...", ".."), "--")
    commits = []
    for record in log.split(_RECORD):
        parts = record.lstrip("\n").split(_FIELD)
        if len(parts) == 3:
            commits.append(Commit(parts[0], parts[1], parts[2].strip()))
    return GitChange(parse_patch(patch), commits, _remote(repo))


def _remote(repo: Path) -> str | None:
    """``owner/name`` of the ``origin`` remote, if there is one."""
    try:
        url = _git(repo, "config", "--get", "remote.origin.url").strip()
    except ConfigError:
        return None
    path = url.split(":", 1)[-1] if "://" not in url else url.split("://", 1)[1].split("/", 1)[-1]
    path = path.removesuffix(".git").strip("/")
    return "/".join(path.split("/")[-2:]) or None
