"""A pull request (GitHub) or merge request (GitLab) webhook event, mapped as ``aftershock import``
maps it (adapters/github.py, adapters/gitlab.py), plus what the gate needs besides: the texts AI
attribution reads, the base and head revisions, and the approvals and labels of the request."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adapters.identity import Catalog
from aftershock.errors import ConfigError, EventError


@dataclass(frozen=True)
class RequestEvent:
    provider: str  # "github" or "gitlab"
    change_id: str
    repository: str
    payload: dict[str, Any]  # the mapped change event's payload (JSON-like)
    texts: list[str]  # title, body... (what attribution reads besides commit messages)
    author: str
    labels: list[str]
    base_sha: str | None
    head_sha: str | None
    raw: dict[str, Any]


def read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{what} {path}: cannot read ({exc.strerror}): check the path") from exc
    except ValueError as exc:
        raise ConfigError(f"{what} {path}: not JSON ({exc}): pass the webhook payload file") from exc


def load_github(path: Path, catalog: Catalog) -> RequestEvent:
    from adapters.base import Context
    from adapters.github import adapt

    body = read_json(path, "GitHub event")
    if not isinstance(body, dict) or not isinstance(body.get("pull_request"), dict):
        raise EventError(f"GitHub event {path}: $.pull_request: missing: classify needs a "
                         "pull_request event (on: pull_request / pull_request_target)")
    event = adapt(body, Context(source="github", event="pull_request", catalog=catalog))[0]
    pr = body["pull_request"]
    payload = event.payload.model_dump(mode="json")
    return RequestEvent(
        "github", str(event.change_id), payload["vcs_repository_name"], payload,
        [pr.get("title") or "", pr.get("body") or ""], payload["author"], payload["labels"],
        _sha(pr, "base"), _sha(pr, "head"), body)


def load_gitlab(path: Path, catalog: Catalog) -> RequestEvent:
    from adapters.base import Context
    from adapters.gitlab import adapt

    body = read_json(path, "GitLab event")
    if not isinstance(body, dict) or body.get("object_kind") != "merge_request":
        raise EventError(f"GitLab event {path}: $.object_kind: not 'merge_request': classify needs "
                         "a merge request event")
    event = adapt(body, Context(source="gitlab", catalog=catalog))[0]
    mr = body.get("object_attributes") or {}
    payload = event.payload.model_dump(mode="json")
    last = (mr.get("last_commit") or {}).get("message") or ""
    return RequestEvent(
        "gitlab", str(event.change_id), payload["vcs_repository_name"], payload,
        [mr.get("title") or "", mr.get("description") or "", last], payload["author"],
        payload["labels"], (mr.get("diff_refs") or {}).get("base_sha") or mr.get("oldrev"),
        (mr.get("last_commit") or {}).get("id"), body)


def _sha(pr: dict[str, Any], side: str) -> str | None:
    ref = pr.get(side)
    sha = ref.get("sha") if isinstance(ref, dict) else None
    return sha if isinstance(sha, str) else None
