"""Captured deliveries shaped like the real tools' payloads (the files in ``shared/real-events``):
GitHub ``pull_request`` / ``push`` / ``deployment`` / ``deployment_status`` webhooks, PagerDuty
webhooks v3 ``incident.*`` and Claude Code hook inputs. Each function returns one delivery
``{"source", "headers", "body"[, "received_at"]}`` as ``aftershock import`` reads it (NDJSON)."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

ORG = "acme"
_GH = "https://github.com"


def stamp(epoch: float) -> str:
    """RFC 3339 UTC with a ``Z``, whole seconds, as GitHub and PagerDuty write them."""
    return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _number(text: str) -> int:
    """A stable numeric id for a name (GitHub ids are numbers)."""
    return zlib.crc32(text.encode()) % 10**8


def _repository(service: str) -> dict[str, Any]:
    full = f"{ORG}/{service}"
    return {"id": _number(full), "name": service, "full_name": full, "private": True,
            "html_url": f"{_GH}/{full}", "default_branch": "main",
            "owner": {"login": ORG, "type": "Organization"}}


def _user(login: str) -> dict[str, Any]:
    return {"login": login, "id": _number(login), "type": "Bot" if login.endswith("[bot]") else "User"}


def _github(event: str, body: dict[str, Any], delivery: str) -> dict[str, Any]:
    return {"source": "github", "headers": {"X-GitHub-Event": event, "X-GitHub-Delivery": delivery},
            "body": body}


@dataclass(frozen=True)
class Commit:
    sha: str
    message: str
    at: float
    author: str
    added: list[str] = field(default_factory=list)
    modified: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PullRequest:
    service: str
    number: int
    title: str
    author: str
    head_ref: str
    head_sha: str
    merge_sha: str
    opened_at: float
    merged_at: float
    additions: int
    deletions: int
    files: int
    body: str = ""


def pull_request_merged(pr: PullRequest) -> dict[str, Any]:
    full = f"{ORG}/{pr.service}"
    merged, opened = stamp(pr.merged_at), stamp(pr.opened_at)
    body = {
        "action": "closed", "number": pr.number,
        "pull_request": {
            "url": f"https://api.github.com/repos/{full}/pulls/{pr.number}", "id": pr.number + 10**8,
            "html_url": f"{_GH}/{full}/pull/{pr.number}", "number": pr.number, "state": "closed",
            "locked": False, "title": pr.title, "user": _user(pr.author), "body": pr.body,
            "created_at": opened, "updated_at": merged, "closed_at": merged, "merged_at": merged,
            "merge_commit_sha": pr.merge_sha, "labels": [], "draft": False,
            "head": {"label": f"{ORG}:{pr.head_ref}", "ref": pr.head_ref, "sha": pr.head_sha},
            "base": {"label": f"{ORG}:main", "ref": "main", "sha": "0" * 39 + "1"},
            "merged": True, "merged_by": _user("merge-queue[bot]"), "comments": 0,
            "review_comments": 1, "commits": 1, "additions": pr.additions, "deletions": pr.deletions,
            "changed_files": pr.files,
        },
        "repository": _repository(pr.service), "sender": _user(pr.author),
    }
    return _github("pull_request", body, f"pr-{full}-{pr.number}")


def push(service: str, before: str, commits: list[Commit], pusher: str) -> dict[str, Any]:
    full = f"{ORG}/{service}"
    listed = [{"id": c.sha, "tree_id": c.sha[::-1], "distinct": True, "message": c.message,
               "timestamp": stamp(c.at), "url": f"{_GH}/{full}/commit/{c.sha}",
               "author": {"name": c.author, "email": f"{c.author}@users.noreply.github.com",
                          "username": c.author},
               "committer": {"name": "GitHub", "email": "noreply@github.com", "username": "web-flow"},
               "added": c.added, "removed": [], "modified": c.modified} for c in commits]
    after = commits[-1].sha
    body = {"ref": "refs/heads/main", "before": before, "after": after, "created": False,
            "deleted": False, "forced": False, "base_ref": None,
            "compare": f"{_GH}/{full}/compare/{before[:12]}...{after[:12]}",
            "commits": listed, "head_commit": listed[-1],
            "repository": _repository(service), "pusher": {"name": pusher, "email": f"{pusher}@example.com"},
            "sender": _user(pusher)}
    return _github("push", body, f"push-{full}-{after}")


@dataclass(frozen=True)
class Deployment:
    service: str
    id: int
    sha: str
    created_at: float
    environment: str = "production"
    creator: str = "deploy-bot[bot]"


def _deployment_body(d: Deployment) -> dict[str, Any]:
    full = f"{ORG}/{d.service}"
    return {"url": f"https://api.github.com/repos/{full}/deployments/{d.id}", "id": d.id,
            "node_id": f"DE_{d.id}", "sha": d.sha, "ref": "main", "task": "deploy", "payload": {},
            "original_environment": d.environment, "environment": d.environment, "description": None,
            "creator": _user(d.creator), "created_at": stamp(d.created_at), "updated_at": stamp(d.created_at),
            "transient_environment": False, "production_environment": d.environment == "production"}


def deployment_created(d: Deployment) -> dict[str, Any]:
    body = {"action": "created", "deployment": _deployment_body(d), "repository": _repository(d.service),
            "sender": _user(d.creator)}
    return _github("deployment", body, f"deployment-{d.id}")


def deployment_status(d: Deployment, status_id: int, state: str, at: float) -> dict[str, Any]:
    full = f"{ORG}/{d.service}"
    status = {"url": f"https://api.github.com/repos/{full}/deployments/{d.id}/statuses/{status_id}",
              "id": status_id, "node_id": f"DES_{status_id}", "state": state, "creator": _user(d.creator),
              "description": "", "environment": d.environment, "target_url": "",
              "created_at": stamp(at), "updated_at": stamp(at)}
    body = {"action": "created", "deployment_status": status, "deployment": _deployment_body(d),
            "repository": _repository(d.service), "sender": _user(d.creator)}
    return _github("deployment_status", body, f"deployment-status-{status_id}")


@dataclass(frozen=True)
class Page:
    incident: str  # PagerDuty incident id, e.g. "Q0RIJJZL24RC6W"
    number: int
    service: str
    title: str
    urgency: str = "high"
    priority: str | None = None


def pagerduty(page: Page, kind: str, event_id: str, at: float) -> dict[str, Any]:
    """``kind``: ``triggered``, ``acknowledged`` or ``resolved``."""
    data = {"id": page.incident, "type": "incident", "self": f"https://api.pagerduty.com/incidents/{page.incident}",
            "html_url": f"https://acme.pagerduty.com/incidents/{page.incident}", "number": page.number,
            "status": kind, "incident_key": f"key-{page.incident}",
            "title": page.title,
            "service": {"id": "P" + page.service.upper().replace("-", "")[:6],
                        "summary": page.service, "type": "service_reference",
                        "html_url": f"https://acme.pagerduty.com/services/P{page.number}"},
            "assignees": [], "escalation_policy": {"id": "PESC001", "summary": "Default",
                                                   "type": "escalation_policy_reference"},
            "teams": [], "priority": {"summary": page.priority} if page.priority else None,
            "urgency": page.urgency, "conference_bridge": None, "resolve_reason": None}
    body = {"event": {"id": event_id, "event_type": f"incident.{kind}", "resource_type": "incident",
                      "occurred_at": stamp(at).replace("Z", ".000Z"), "agent": None, "client": None,
                      "data": data}}
    return {"source": "pagerduty", "headers": {}, "body": body}


def claude_code_hook(hook: str, session: str, cwd: str, tool: str, tool_input: dict[str, Any],
                     call_id: str, at: float, mode: str = "default") -> dict[str, Any]:
    """A hook input (``PreToolUse``, ``PostToolUse``...) delivered at ``at`` (its only time)."""
    body: dict[str, Any] = {
        "session_id": session, "transcript_path": f"/home/dev/.claude/projects/{session}.jsonl",
        "cwd": cwd, "permission_mode": mode, "hook_event_name": hook, "tool_name": tool,
        "tool_input": tool_input, "tool_use_id": call_id,
    }
    if hook == "PostToolUse":
        body["tool_response"] = {"success": True, **({"filePath": tool_input["file_path"]}
                                                     if "file_path" in tool_input else {})}
        body["duration_ms"] = 40
    return {"source": "claude-code", "headers": {}, "body": body, "received_at": stamp(at)}
