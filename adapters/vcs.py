"""What GitHub and GitLab pushes have in common: one ``change`` event per push."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from adapters.base import Context, build
from schemas.attribution import parse_attribution
from schemas.event import Event

MAX_FILES = 500
FILES_CHANGED_ATTRIBUTE = "change.files_changed"  # analytics/RULES.md "Semantics"


@dataclass(frozen=True)
class Push:
    source: str  # "github" or "gitlab": the event id's prefix
    repository: str
    repository_url: str | None
    service: str
    before: Any
    after: str
    source_url: str | None
    occurred_at: datetime
    ref_name: str | None
    commit_shas: list[str]
    title: str | None
    author: str
    author_kind: str
    files: list[str]
    messages: list[str]
    extra: dict[str, Any] = field(default_factory=dict)


def touched_paths(commits: Sequence[dict[str, Any]]) -> list[str]:
    """Every path a push's commits added, modified or removed, sorted, each once."""
    return sorted({p for c in commits for k in ("added", "modified", "removed") for p in c.get(k, [])})


def push_event(ctx: Context, push: Push) -> Event:
    payload = {
        "vcs_repository_name": push.repository,
        "vcs_repository_url_full": push.repository_url,
        "vcs_ref_head_revision": push.after,
        "vcs_ref_head_name": push.ref_name,
        "commit_shas": push.commit_shas,
        "kind": "commit",
        "vcs_change_title": push.title,
        "author": push.author,
        "author_kind": push.author_kind,
        "files": [{"path": p} for p in push.files[:MAX_FILES]],
        "committed_at": push.occurred_at,
        "ai": parse_attribution(push.messages, push.author, []),
        **push.extra,
    }
    # a list cut at MAX_FILES keeps its full count for the risk rules' files
    stated = {FILES_CHANGED_ATTRIBUTE: str(len(push.files))} if len(push.files) > MAX_FILES else {}
    return build(ctx, {
        "event_id": f"{push.source}:push:{push.repository}:{push.before}:{push.after}",
        "attributes": stated,
        "event_type": "change",
        "source_ref": push.after,
        "source_url": push.source_url,
        "occurred_at": push.occurred_at,
        "service_name": push.service,
        "change_id": f"{push.repository}@{push.after}",
        "payload": payload,
    })
