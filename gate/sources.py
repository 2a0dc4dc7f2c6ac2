"""The change to classify, from git, a list of paths and/or a pull/merge request event."""

from __future__ import annotations

from argparse import Namespace
from pathlib import Path

from adapters.identity import Catalog
from aftershock.errors import ConfigError
from gate.classify import ChangeInput
from gate.diff import from_paths
from gate.events import RequestEvent
from gate.git import Pending

_NOTHING = ("classify (command line): nothing to classify: pass --git RANGE, --files PATH..., "
            "--github-event FILE or --gitlab-event FILE")


def catalog_of(path: Path | None) -> Catalog:
    if path is None:
        return Catalog()
    from adapters.identity import load_catalog

    return load_catalog(path)


def gather(args: Namespace, event: RequestEvent | None, pending: Pending | None = None) -> ChangeInput:
    """One change from every input given: files and diff from git (else --files), metadata from
    the event; AI attribution from the event's texts and labels plus every commit message."""
    from schemas.attribution import attribution_data

    if not (args.git or args.files or event):
        raise ConfigError(_NOTHING)
    git = None
    if args.git:
        from gate.git import finish, start_range

        git = finish(pending or start_range(args.repo, args.git))
    files = git.files if git else from_paths(args.files or [])
    messages = [c.message for c in git.commits] if git else []
    repository = args.repository or (event.repository if event else None) \
        or (git.remote if git else None) or args.repo.resolve().name
    head = (event.head_sha if event else None) or (git.commits[0].sha if git and git.commits else None)
    if event:
        p = event.payload
        ai = attribution_data(event.texts + messages, event.author, event.labels)
        return ChangeInput(
            event.change_id, repository, files, git is not None,
            None if git or args.files else p.get("lines_added"),
            None if git or args.files else p.get("lines_deleted"),
            p["kind"], event.author, p["author_kind"], ai, event.labels, head, p.get("vcs_change_title"))
    author = git.commits[0].author if git and git.commits else None
    ai = attribution_data(messages, author.split(" <")[0] if author else None, [])
    return ChangeInput(
        f"{repository}@{head}" if head else f"{repository}:files", repository, files, git is not None,
        None, None, "commit", author, _author_kind(author), ai, [], head,
        git.commits[0].message.splitlines()[0] if git and git.commits and git.commits[0].message else None)


def _author_kind(author: str | None) -> str:
    """As ``aftershock import`` maps a push: ``[bot]`` names are bots, others human."""
    if author is None:
        return "unknown"
    return "bot" if author.split(" <")[0].endswith("[bot]") else "human"
