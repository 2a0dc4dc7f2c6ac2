"""Read a commit range from git: its diff, its commits' authors and messages, and the origin
remote (three git calls, started together)."""

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


class Pending:
    """git commands started together: they run while the caller imports and loads its rules."""

    def __init__(self, repo: Path, calls: dict[str, tuple[str, ...]]) -> None:
        self.repo = repo
        self.procs = {name: _start(repo, args) for name, args in calls.items()}
        self.calls = calls

    def output(self, name: str) -> str:
        out, err = self.procs[name].communicate()
        if self.procs[name].returncode != 0:
            lines = err.decode("utf-8", "replace").strip().splitlines()
            args = self.calls[name]
            raise ConfigError(f"git {' '.join(args[:2])} ({self.repo}): {lines[0] if lines else 'failed'}: "
                              "check --git RANGE and --repo DIR")
        return out.decode("utf-8", "replace")


def _start(repo: Path, args: tuple[str, ...]) -> subprocess.Popen[bytes]:
    try:
        return subprocess.Popen(["git", "-C", str(repo), *args],  # noqa: S607 (git from PATH, as CI has it)
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as exc:
        raise ConfigError(f"git ({repo}): cannot run git ({exc.strerror}): install git") from exc


def _range(spec: str) -> str:
    """``A..B`` and ``A...B`` as given (an empty side is HEAD); a single rev R -> ``R^..R``."""
    for sep in ("...", ".."):
        if sep in spec:
            base, _, head = spec.partition(sep)
            return f"{base or 'HEAD'}{sep}{head or 'HEAD'}"
    return f"{spec}^..{spec}"


def start_range(repo: Path, spec: str) -> Pending:
    """Start reading ``spec``: its diff, its commits and the origin remote, in parallel."""
    rng = _range(spec)
    if rng.startswith("-"):
        raise ConfigError(f"--git {spec!r} (command line): a range may not start with '-'")
    fmt = f"--format=%H{_FIELD}%an <%ae>{_FIELD}%B{_RECORD}"
    return Pending(repo, {"diff": (*_DIFF, rng, "--"), "log": ("log", fmt, rng.replace("...", ".."), "--"),
                          "remote": ("config", "--get", "remote.origin.url")})


def finish(pending: Pending) -> GitChange:
    """Files (with their diff), commits and remote of a started range."""
    patch, log = pending.output("diff"), pending.output("log")
    commits = []
    for record in log.split(_RECORD):
        parts = record.lstrip("\n").split(_FIELD)
        if len(parts) == 3:
            commits.append(Commit(parts[0], parts[1], parts[2].strip()))
    try:
        remote = _repo_name(pending.output("remote").strip())
    except ConfigError:  # no origin remote
        remote = None
    return GitChange(parse_patch(patch), commits, remote)


def read_range(repo: Path, spec: str) -> GitChange:
    return finish(start_range(repo, spec))


def _repo_name(url: str) -> str | None:
    """``owner/name`` of a remote URL (ssh or https)."""
    path = url.split(":", 1)[-1] if "://" not in url else url.split("://", 1)[1].split("/", 1)[-1]
    path = path.removesuffix(".git").strip("/")
    return "/".join(path.split("/")[-2:]) or None
