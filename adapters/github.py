"""GitHub webhooks: push, pull_request, deployment, deployment_status, workflow_run, check_run,
workflow_job. The event name comes from the ``X-GitHub-Event`` header (or ``--event``)."""

from __future__ import annotations

import json
from typing import Any

from adapters.base import Context, build, get, opt, parse_time
from adapters.vcs import Push, push_event, touched_paths
from schemas.attribution import parse_attribution
from schemas.event import Event

FILES_CHANGED_ATTRIBUTE = "change.files_changed"  # analytics/RULES.md "Semantics"

_ZERO = "0" * 40
_DEPLOY_STATES = {
    "pending": "started",
    "queued": "started",
    "in_progress": "in_progress",
    "success": "succeeded",
    "failure": "failed",
    "error": "failed",
    "inactive": "succeeded",
}
_CI_FAILED = {"failure", "timed_out", "cancelled", "action_required", "startup_failure", "stale"}


def adapt(body: Any, ctx: Context) -> list[Event]:
    handlers = {
        "push": _push,
        "pull_request": _pull_request,
        "deployment": _deployment,
        "deployment_status": _deployment_status,
        "workflow_run": _ci_run,
        "check_run": _ci_run,
        "workflow_job": _ci_run,
    }
    if ctx.event == "ping":
        raise ctx.reject("a ping (sent when a webhook is created) carries no audit event")
    if ctx.event not in handlers:
        raise ctx.fail(
            "$",
            f"unsupported GitHub event {ctx.event!r} (header X-GitHub-Event); "
            f"supported: {', '.join(handlers)}",
        )
    get(ctx, body, "repository", dict)
    return handlers[ctx.event](body, ctx)


def _repo(body: dict[str, Any], ctx: Context) -> tuple[str, str, str]:
    full = get(ctx, body, "repository.full_name", str)
    return full, ctx.catalog.for_repository(full), get(ctx, body, "repository.html_url", str)


def _push(body: dict[str, Any], ctx: Context) -> list[Event]:
    full, service, url = _repo(body, ctx)
    after = get(ctx, body, "after", str)
    if body.get("deleted") or after == _ZERO:
        raise ctx.reject("branch deletion: no change was pushed", "$.deleted")
    commits = opt(body, "commits", [])
    head = opt(body, "head_commit") or (commits[-1] if commits else None)
    if head is None:
        raise ctx.reject("push without commits (a tag or an empty push): no change", "$.commits")
    author = opt(head, "author.username") or opt(head, "author.email") or get(ctx, body, "pusher.name", str)
    messages = [c.get("message", "") for c in commits] or [head.get("message", "")]
    when = parse_time(ctx, get(ctx, head, "timestamp", at="$.head_commit"), "$.head_commit.timestamp")
    return [push_event(ctx, Push(
        source="github", repository=full, repository_url=url, service=service,
        before=body.get("before"), after=after, source_url=opt(body, "compare") or url,
        occurred_at=when,
        ref_name=str(get(ctx, body, "ref", str)).removeprefix("refs/heads/"),
        commit_shas=[c["id"] for c in commits if "id" in c] or [after],
        title=messages[-1].splitlines()[0][:500] if messages[-1] else None,
        author=author, author_kind=_author_kind(author), files=touched_paths(commits or [head]),
        messages=messages, extra={"forced": bool(body.get("forced"))},
    ))]


def _pull_request(body: dict[str, Any], ctx: Context) -> list[Event]:
    full, service, url = _repo(body, ctx)
    pr = get(ctx, body, "pull_request", dict)
    number = get(ctx, pr, "number", int, at="$.pull_request")
    author = get(ctx, pr, "user.login", str, at="$.pull_request")
    labels = [label["name"] for label in pr.get("labels", []) if "name" in label]
    merged = bool(pr.get("merged"))
    title = get(ctx, pr, "title", str, at="$.pull_request")
    when = parse_time(
        ctx, pr.get("merged_at") or pr.get("updated_at") or pr.get("created_at"), "$.pull_request.updated_at"
    )
    revert = title.startswith("Revert ")
    return [
        build(
            ctx,
            {
                "event_id": f"github:pull_request:{full}#{number}:{body.get('action')}:"
                f"{pr.get('updated_at')}",
                "event_type": "change",
                "source_ref": str(number),
                "source_url": pr.get("html_url"),
                "occurred_at": when,
                "service_name": service,
                "change_id": f"{full}#{number}",
                "attributes": {"action": str(body.get("action")), "state": str(pr.get("state"))}
                | _files_changed(pr),
                "payload": {
                    "vcs_repository_name": full,
                    "vcs_repository_url_full": url,
                    "vcs_ref_head_revision": opt(pr, "head.sha"),
                    "vcs_ref_head_name": opt(pr, "head.ref"),
                    "vcs_ref_base_name": opt(pr, "base.ref"),
                    "vcs_change_id": str(number),
                    "vcs_change_title": title,
                    "kind": "revert" if revert else ("merge" if merged else "pull_request"),
                    "commit_shas": [s for s in (pr.get("merge_commit_sha"),) if s and merged],
                    "author": author,
                    "author_kind": _author_kind(author),
                    "lines_added": pr.get("additions"),
                    "lines_deleted": pr.get("deletions"),
                    "ai": parse_attribution([title, pr.get("body") or ""], author, labels),
                    "labels": labels,
                    "approvals": [opt(pr, "merged_by.login")]
                    if merged and opt(pr, "merged_by.login")
                    else [],
                    "review_count": pr.get("review_comments"),
                    "merged_at": pr.get("merged_at") if merged else None,
                },
            },
        )
    ]


def _files_changed(pr: dict[str, Any]) -> dict[str, str]:
    """A pull request states how many files it changes but not which: the count as an attribute
    (``change.files_changed``, read by the risk rules when a change lists no files)."""
    count = pr.get("changed_files")
    return {FILES_CHANGED_ATTRIBUTE: str(count)} if isinstance(count, int) and count >= 0 else {}


def _deployment_fields(body: dict[str, Any], ctx: Context) -> dict[str, Any]:
    full, service, _ = _repo(body, ctx)
    deployment = get(ctx, body, "deployment", dict)
    dep_id = str(get(ctx, deployment, "id", int, at="$.deployment"))
    sha = get(ctx, deployment, "sha", str, at="$.deployment")
    return {
        "full": full,
        "service": service,
        "id": dep_id,
        "sha": sha,
        "deployment": deployment,
        "environment": get(ctx, deployment, "environment", str, at="$.deployment"),
    }


def _deployment(body: dict[str, Any], ctx: Context) -> list[Event]:
    d = _deployment_fields(body, ctx)
    return [
        _deploy_event(
            ctx,
            d,
            f"github:deployment:{d['id']}",
            "started",
            d["deployment"].get("created_at"),
            "$.deployment.created_at",
        )
    ]


def _deployment_status(body: dict[str, Any], ctx: Context) -> list[Event]:
    d = _deployment_fields(body, ctx)
    status = get(ctx, body, "deployment_status", dict)
    state = get(ctx, status, "state", str, at="$.deployment_status")
    if state not in _DEPLOY_STATES:
        raise ctx.fail("$.deployment_status.state", f"unknown state {state!r}")
    return [
        _deploy_event(
            ctx,
            d,
            f"github:deployment_status:{status.get('id')}",
            _DEPLOY_STATES[state],
            status.get("created_at"),
            "$.deployment_status.created_at",
        )
    ]


def _deploy_event(ctx: Context, d: dict[str, Any], event_id: str, status: str, when: Any, path: str) -> Event:
    occurred = parse_time(ctx, when, path)
    deployment = d["deployment"]
    return build(
        ctx,
        {
            "event_id": event_id,
            "event_type": "deployment",
            "source_ref": d["id"],
            "source_url": deployment.get("url"),
            "occurred_at": occurred,
            "service_name": d["service"],
            "deployment_environment_name": d["environment"],
            "deployment_id": f"github:{d['id']}",
            "change_id": f"{d['full']}@{d['sha']}",
            "payload": {
                "vcs_ref_head_revision": d["sha"],
                "commit_shas": [d["sha"]],
                "status": status,
                "artifact": f"{d['full']}@{d['sha']}",
                "initiator": opt(deployment, "creator.login"),
                "started_at": parse_time(ctx, deployment["created_at"], "$.deployment.created_at")
                if deployment.get("created_at")
                else None,
                "finished_at": occurred if status in {"succeeded", "failed"} else None,
            },
        },
    )


def _ci_run(body: dict[str, Any], ctx: Context) -> list[Event]:
    full, service, _ = _repo(body, ctx)
    key = str(ctx.event)
    run = get(ctx, body, key, dict)
    if run.get("status") != "completed":
        raise ctx.reject(
            f"{key} is {run.get('status')!r}: only a finished run carries a verdict", f"$.{key}.status"
        )
    conclusion = get(ctx, run, "conclusion", str, at=f"$.{key}")
    sha = get(ctx, run, "head_sha", str, at=f"$.{key}")
    name = run.get("name") or run.get("workflow_name") or opt(body, "workflow.name") or key
    when = run.get("completed_at") or run.get("updated_at")
    failed = conclusion in _CI_FAILED
    return [
        build(
            ctx,
            {
                "event_id": f"github:{key}:{run.get('id')}:{run.get('run_attempt', 1)}",
                "event_type": "gate_decision",
                "source_ref": str(run.get("id")),
                "source_url": run.get("html_url"),
                "occurred_at": parse_time(ctx, when, f"$.{key}.completed_at"),
                "service_name": service,
                "change_id": f"{full}@{sha}",
                "payload": {
                    "subject_kind": "change",
                    "subject_id": f"{full}@{sha}",
                    "gate": f"ci:{name}"[:256],
                    "inputs_json": json.dumps({"conclusion": conclusion, "check": key, "name": name}),
                    "score": 1.0 if failed else 0.0,
                    "tier": "ci_failed" if failed else "ci_passed",
                    "decision": "block" if failed else "allow",
                },
            },
        )
    ]


def _author_kind(author: str) -> str:
    return "bot" if author.endswith("[bot]") else "human"
