"""GitLab webhooks: push, merge_request, deployment, pipeline, job (build with an environment).

The kind comes from the body's ``object_kind`` (the ``X-Gitlab-Event`` header says the same)."""

from __future__ import annotations

import json
from typing import Any

from adapters.base import Context, build, get, opt, parse_time
from adapters.vcs import FILES_CHANGED_ATTRIBUTE, Push, push_event, touched_paths
from schemas.attribution import parse_attribution
from schemas.event import Event

_ZERO = "0" * 40
_DEPLOY = {
    "created": "started",
    "running": "in_progress",
    "success": "succeeded",
    "failed": "failed",
    "canceled": "failed",
    "pending": "started",
    "start": "started",
}
_FINISHED = {"success": False, "failed": True, "canceled": True}


def adapt(body: Any, ctx: Context) -> list[Event]:
    kind = get(ctx, body, "object_kind", str)
    handlers = {
        "push": _push,
        "merge_request": _merge_request,
        "deployment": _deployment,
        "pipeline": _pipeline,
        "build": _job,
    }
    if kind not in handlers:
        raise ctx.fail(
            "$.object_kind", f"unsupported GitLab event {kind!r}; supported: {', '.join(handlers)}"
        )
    return handlers[kind](body, ctx)


def _project(body: dict[str, Any], ctx: Context) -> tuple[str, str, str | None]:
    full = opt(body, "project.path_with_namespace")
    if full is None:  # job events carry only the repository
        homepage = get(ctx, body, "repository.homepage", str)
        full = homepage.split("://", 1)[-1].split("/", 1)[-1]
    return (
        full,
        ctx.catalog.for_repository(full),
        opt(body, "project.web_url") or opt(body, "repository.homepage"),
    )


def _push(body: dict[str, Any], ctx: Context) -> list[Event]:
    full, service, url = _project(body, ctx)
    after = get(ctx, body, "after", str)
    if after == _ZERO:
        raise ctx.reject("branch deletion: no change was pushed", "$.after")
    commits = get(ctx, body, "commits", list)
    if not commits:
        raise ctx.reject("push without commits: no change", "$.commits")
    head = next((c for c in commits if c.get("id") == after), commits[-1])
    author = opt(body, "user_username") or get(ctx, body, "user_name", str)
    messages = [c.get("message", "") for c in commits]
    when = parse_time(ctx, get(ctx, head, "timestamp", at="$.commits[-1]"), "$.commits[-1].timestamp")
    return [push_event(ctx, Push(
        source="gitlab", repository=full, repository_url=url, service=service,
        before=body.get("before"), after=after, source_url=head.get("url") or url,
        occurred_at=when,
        ref_name=str(body.get("ref", "")).removeprefix("refs/heads/") or None,
        commit_shas=[c["id"] for c in commits if "id" in c],
        title=(head.get("title") or head.get("message", "")).splitlines()[0][:500] or None,
        author=author, author_kind="human", files=touched_paths(commits), messages=messages,
    ))]


def _merge_request(body: dict[str, Any], ctx: Context) -> list[Event]:
    full, service, url = _project(body, ctx)
    mr = get(ctx, body, "object_attributes", dict)
    iid = get(ctx, mr, "iid", int, at="$.object_attributes")
    author = opt(body, "user.username") or get(ctx, body, "user.name", str)
    labels = [label.get("title", "") for label in body.get("labels") or [] if isinstance(label, dict)]
    merged = mr.get("state") == "merged"
    title = get(ctx, mr, "title", str, at="$.object_attributes")
    when = parse_time(ctx, mr.get("updated_at") or mr.get("created_at"), "$.object_attributes.updated_at")
    head = opt(mr, "last_commit.id")
    return [
        build(
            ctx,
            {
                "event_id": f"gitlab:merge_request:{full}!{iid}:{mr.get('action')}:{mr.get('updated_at')}",
                "event_type": "change",
                "source_ref": str(iid),
                "source_url": mr.get("url"),
                "occurred_at": when,
                "service_name": service,
                "change_id": f"{full}!{iid}",
                "attributes": {"action": str(mr.get("action")), "state": str(mr.get("state"))}
                | _changes_count(mr),
                "payload": {
                    "vcs_repository_name": full,
                    "vcs_repository_url_full": url,
                    "vcs_ref_head_revision": head,
                    "vcs_ref_head_name": mr.get("source_branch"),
                    "vcs_ref_base_name": mr.get("target_branch"),
                    "vcs_change_id": str(iid),
                    "vcs_change_title": title,
                    "kind": "revert"
                    if title.startswith("Revert ")
                    else ("merge" if merged else "pull_request"),
                    "commit_shas": [s for s in (mr.get("merge_commit_sha"),) if s and merged],
                    "author": author,
                    "author_kind": "human",
                    "labels": labels,
                    "ai": parse_attribution(
                        [title, mr.get("description") or "", opt(mr, "last_commit.message", "")],
                        author,
                        labels,
                    ),
                    "merged_at": when if merged else None,
                },
            },
        )
    ]


def _changes_count(mr: dict[str, Any]) -> dict[str, str]:
    """A merge request that states how many files it changes (``changes_count``, as the API and
    some hook senders give it; "1000+" when capped) keeps the count for the risk rules."""
    count = str(mr.get("changes_count") or "").removesuffix("+")
    return {FILES_CHANGED_ATTRIBUTE: count} if count.isascii() and count.isdigit() and len(count) <= 9 else {}


def _deployment(body: dict[str, Any], ctx: Context) -> list[Event]:
    full, service, _ = _project(body, ctx)
    dep_id = str(get(ctx, body, "deployment_id", int))
    status = get(ctx, body, "status", str)
    if status not in _DEPLOY:
        raise ctx.fail("$.status", f"unknown deployment status {status!r}")
    when = parse_time(ctx, get(ctx, body, "status_changed_at"), "$.status_changed_at")
    sha = str(get(ctx, body, "commit_url", str)).rsplit("/", 1)[-1]
    return [
        build(
            ctx,
            {
                "event_id": f"gitlab:deployment:{full}:{dep_id}:{status}",
                "event_type": "deployment",
                "source_ref": dep_id,
                "source_url": body.get("deployable_url"),
                "occurred_at": when,
                "service_name": service,
                "deployment_environment_name": get(ctx, body, "environment", str),
                "deployment_id": f"gitlab:{full}:{dep_id}",
                "change_id": f"{full}@{sha}",
                "payload": {
                    "status": _DEPLOY[status],
                    "vcs_ref_head_revision": sha,
                    "commit_shas": [sha],
                    "artifact": body.get("ref"),
                    "initiator": opt(body, "user.username"),
                    "finished_at": when if status in _FINISHED else None,
                },
            },
        )
    ]


def _job(body: dict[str, Any], ctx: Context) -> list[Event]:
    environment = opt(body, "environment.name")
    if not environment:
        raise ctx.reject(
            "a CI job without an environment deploys nothing (its pipeline carries the verdict)",
            "$.environment",
        )
    full, service, _ = _project(body, ctx)
    job_id = str(get(ctx, body, "build_id", int))
    sha = get(ctx, body, "sha", str)
    status = get(ctx, body, "build_status", str)
    when = body.get("build_finished_at") or body.get("build_started_at") or body.get("build_created_at")
    return [
        build(
            ctx,
            {
                "event_id": f"gitlab:job:{full}:{job_id}:{status}",
                "event_type": "deployment",
                "source_ref": job_id,
                "occurred_at": parse_time(ctx, when, "$.build_finished_at"),
                "service_name": service,
                "deployment_environment_name": environment,
                "deployment_id": f"gitlab:job:{job_id}",
                "change_id": f"{full}@{sha}",
                "payload": {
                    "status": _DEPLOY.get(status, "in_progress"),
                    "vcs_ref_head_revision": sha,
                    "commit_shas": [sha],
                    "stage": body.get("build_stage"),
                    "initiator": opt(body, "user.username"),
                    "started_at": parse_time(ctx, body["build_started_at"], "$.build_started_at")
                    if body.get("build_started_at")
                    else None,
                },
            },
        )
    ]


def _pipeline(body: dict[str, Any], ctx: Context) -> list[Event]:
    full, service, _ = _project(body, ctx)
    pipe = get(ctx, body, "object_attributes", dict)
    status = get(ctx, pipe, "status", str, at="$.object_attributes")
    if status not in _FINISHED:
        raise ctx.reject(
            f"pipeline is {status!r}: only a finished pipeline carries a verdict",
            "$.object_attributes.status",
        )
    sha = get(ctx, pipe, "sha", str, at="$.object_attributes")
    failed = _FINISHED[status]
    return [
        build(
            ctx,
            {
                "event_id": f"gitlab:pipeline:{full}:{pipe.get('id')}:{status}",
                "event_type": "gate_decision",
                "source_ref": str(pipe.get("id")),
                "service_name": service,
                "change_id": f"{full}@{sha}",
                "occurred_at": parse_time(
                    ctx, pipe.get("finished_at") or pipe.get("created_at"), "$.object_attributes.finished_at"
                ),
                "payload": {
                    "subject_kind": "change",
                    "subject_id": f"{full}@{sha}",
                    "gate": "ci:gitlab-pipeline",
                    "inputs_json": json.dumps({"status": status, "stages": pipe.get("stages", [])}),
                    "score": 1.0 if failed else 0.0,
                    "tier": "ci_failed" if failed else "ci_passed",
                    "decision": "block" if failed else "allow",
                },
            },
        )
    ]
