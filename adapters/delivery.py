"""Delivery tools: Flux notification-controller events and CDEvents (change, service, incident,
pipeline, build, artifact, environment events)."""

from __future__ import annotations

import json
import re
from typing import Any

from adapters.base import Context, build, get, opt, parse_time
from schemas.event import Event

_FLUX_STATUS = {
    "ReconciliationSucceeded": "succeeded",
    "Progressing": "in_progress",
    "HealthCheckFailed": "failed",
    "ReconciliationFailed": "failed",
    "ValidationFailed": "failed",
    "BuildFailed": "failed",
    "ArtifactFailed": "failed",
    "DependencyNotReady": "in_progress",
}
_CDE_TYPE = re.compile(r"^dev\.cdevents\.(\w+)\.(\w+)\.\d+\.\d+\.\d+(-draft)?$")
_CDE_DEPLOY = {
    "deployed": "succeeded",
    "upgraded": "succeeded",
    "rolledback": "rolled_back",
    "removed": "succeeded",
}
_CDE_INCIDENT = {"detected": "triggered", "reported": "triggered", "resolved": "resolved"}


def flux(body: Any, ctx: Context) -> list[Event]:
    obj = get(ctx, body, "involvedObject", dict)
    reason = get(ctx, body, "reason", str)
    status = _FLUX_STATUS.get(reason) or ("failed" if body.get("severity") == "error" else None)
    if status is None:
        raise ctx.reject(f"Flux event reason {reason!r} reports no deployment step", "$.reason")
    revision = next((v for k, v in (body.get("metadata") or {}).items() if k.endswith("/revision")), None)
    sha = str(revision).rsplit("/", 1)[-1].removeprefix("sha1:") if revision else None
    name, namespace = get(ctx, obj, "name", str, at="$.involvedObject"), obj.get("namespace", "default")
    when = parse_time(ctx, get(ctx, body, "timestamp"), "$.timestamp")
    return [
        build(
            ctx,
            {
                "event_id": f"flux:{obj.get('uid')}:{revision}:{reason}:{body['timestamp']}",
                "event_type": "deployment",
                "source": "flux",
                "source_ref": obj.get("uid"),
                "occurred_at": when,
                "service_name": name,
                "deployment_id": f"flux:{namespace}/{name}@{revision}",
                "attributes": {
                    "kind": str(obj.get("kind")),
                    "namespace": str(namespace),
                    "reason": reason,
                    "controller": str(body.get("reportingController", "")),
                },
                "payload": {
                    "status": status,
                    "vcs_ref_head_revision": sha,
                    "commit_shas": [sha] if sha else [],
                    "artifact": revision,
                    "initiator": body.get("reportingController"),
                    "finished_at": when if status in {"succeeded", "failed"} else None,
                },
            },
        )
    ]


def cdevents(body: Any, ctx: Context) -> list[Event]:
    kind = get(ctx, body, "context.type", str)
    match = _CDE_TYPE.match(kind)
    if match is None:
        raise ctx.reject(
            f"custom or unknown CDEvents type {kind!r}: no contract it maps to", "$.context.type"
        )
    subject, predicate = match.group(1), match.group(2)
    handler = {
        "change": _cde_change,
        "service": _cde_service,
        "incident": _cde_incident,
        "pipelinerun": _cde_pipeline,
    }.get(subject)
    if handler is None:
        raise ctx.reject(
            f"CDEvents {subject}.{predicate} is not a change, deployment, incident or pipeline verdict",
            "$.context.type",
        )
    common = {
        "event_id": f"cdevents:{get(ctx, body, 'context.id', str)}",
        "source": "cdevents",
        "source_ref": get(ctx, body, "subject.id", str),
        "source_url": opt(body, "context.source"),
        "occurred_at": parse_time(ctx, get(ctx, body, "context.timestamp"), "$.context.timestamp"),
    }
    return [build(ctx, common | handler(body, ctx, predicate))]


def _cde_change(body: dict[str, Any], ctx: Context, predicate: str) -> dict[str, Any]:
    content = get(ctx, body, "subject.content", dict)
    repo = get(ctx, content, "repository.id", str, at="$.subject.content")
    change = str(body["subject"]["id"])
    return {
        "event_type": "change",
        "service_name": ctx.catalog.for_repository(repo),
        "change_id": f"{repo}#{change}",
        "attributes": {"cdevents_predicate": predicate},
        "payload": {
            "vcs_repository_name": repo,
            "vcs_repository_url_full": opt(content, "repository.source"),
            "vcs_change_id": change,
            "vcs_change_title": content.get("description"),
            "kind": "merge" if predicate == "merged" else "pull_request",
            "author": opt(content, "user") or "unknown",
            "author_kind": "unknown",
            "merged_at": opt(body, "context.timestamp") if predicate == "merged" else None,
        },
    }


def _cde_service(body: dict[str, Any], ctx: Context, predicate: str) -> dict[str, Any]:
    if predicate not in _CDE_DEPLOY:
        raise ctx.reject(f"service.{predicate} is not a deployment step", "$.context.type")
    content = get(ctx, body, "subject.content", dict)
    environment = get(ctx, content, "environment.id", str, at="$.subject.content")
    service = str(body["subject"]["id"])
    return {
        "event_type": "deployment",
        "service_name": service,
        "deployment_environment_name": environment,
        "deployment_id": f"cdevents:{body['context']['id']}",
        "attributes": {"cdevents_predicate": predicate},
        "payload": {
            "status": _CDE_DEPLOY[predicate],
            "artifact": content.get("artifactId"),
            "rollback_of": None,
        },
    }


def _cde_incident(body: dict[str, Any], ctx: Context, predicate: str) -> dict[str, Any]:
    if predicate not in _CDE_INCIDENT:
        raise ctx.reject(f"incident.{predicate} is not a lifecycle step", "$.context.type")
    content = get(ctx, body, "subject.content", dict)
    status = _CDE_INCIDENT[predicate]
    service = opt(content, "service.id")
    stamp = {"triggered": "detected_at", "resolved": "resolved_at"}[status]
    return {
        "event_type": "incident",
        "service_name": service,
        "deployment_environment_name": opt(content, "environment.id"),
        "incident_id": f"cdevents:{body['subject']['id']}",
        # the artifact as an attribute too: linking resolves attribute values equal to a
        # deployment's artifact to that deployment (method "artifact")
        "attributes": {"cdevents_artifact_id": str(content["artifactId"])}
        if content.get("artifactId") else {},
        "payload": {
            "title": content.get("description") or str(body["subject"]["id"]),
            "status": status,
            "severity": 3,
            stamp: body["context"]["timestamp"],
            "affected_services": [{"name": service, "criticality": ctx.catalog.criticality(service)}]
            if service
            else [],
            "causes": [{"kind": "other", "ref": content["artifactId"]}] if content.get("artifactId") else [],
        },
    }


def _cde_pipeline(body: dict[str, Any], ctx: Context, predicate: str) -> dict[str, Any]:
    if predicate != "finished":
        raise ctx.reject(f"pipelinerun.{predicate}: only a finished run carries a verdict", "$.context.type")
    content = get(ctx, body, "subject.content", dict)
    outcome = get(ctx, content, "outcome", str, at="$.subject.content")
    failed = outcome != "success"
    subject = str(body["subject"]["id"])
    return {
        "event_type": "gate_decision",
        "payload": {
            "subject_kind": "change",
            "subject_id": subject,
            "gate": f"ci:{content.get('pipelineName', 'pipeline')}"[:256],
            "inputs_json": json.dumps({"outcome": outcome, "errors": content.get("errors")}),
            "score": 1.0 if failed else 0.0,
            "tier": "ci_failed" if failed else "ci_passed",
            "decision": "block" if failed else "allow",
        },
    }
