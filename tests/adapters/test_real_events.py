"""Every payload in ../shared/real-events is accounted for: mapped to valid events, or rejected
with a reason a person would accept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapters.base import MappingError, Rejected
from adapters.registry import adapt
from schemas.event import parse_obj

M = "mapped"
R = "rejected"
# file -> (outcome, event types in order | words the rejection reason must contain)
EXPECTED: dict[str, tuple[str, str]] = {
    "aws-cloudtrail/AttachRolePolicy.json": (M, "agent_action:mutate_config"),
    "aws-cloudtrail/CreateDeployment.codedeploy.json": (M, "agent_action:mutate"),
    "aws-cloudtrail/CreateRole+AttachRolePolicy.stratus.json": (M, "agent_action:mutate_config " * 2),
    "aws-cloudtrail/CreateUser+AttachUserPolicy+CreateAccessKey.stratus.json": (
        M,
        "agent_action:mutate_config " * 3,
    ),
    "aws-cloudtrail/DeleteDBInstance.json": (M, "agent_action:destructive"),
    "aws-cloudtrail/DeleteStack.json": (M, "agent_action:destructive"),
    "aws-cloudtrail/DeleteTrail.stratus.json": (M, "agent_action:destructive"),
    "aws-cloudtrail/PutRolePolicy.eventbridge.json": (M, "agent_action:mutate_config"),
    "aws-cloudtrail/RunInstances-failed+AssumeRole.stratus.json": (
        M,
        "agent_action:mutate agent_action:read agent_action:read",
    ),
    "aws-cloudtrail/TerminateInstances.json": (M, "agent_action:destructive"),
    "aws-cloudtrail/UpdateFunctionCode20150331v2.stratus.json": (M, "agent_action:mutate"),
    "aws-cloudtrail/UpdateStack.json": (M, "agent_action:mutate"),
    "cdevents/artifact_published.json": (R, "artifact.published is not a change, deployment, incident"),
    "cdevents/build_finished.json": (R, "build.finished is not a change, deployment, incident"),
    "cdevents/change_created.json": (M, "change"),
    "cdevents/change_merged.json": (M, "change"),
    "cdevents/change_reviewed.json": (M, "change"),
    "cdevents/custom_event.json": (R, "custom or unknown CDEvents type"),
    "cdevents/environment_modified.json": (R, "environment.modified is not a change, deployment"),
    "cdevents/incident_detected.json": (M, "incident:triggered"),
    "cdevents/incident_reported.json": (M, "incident:triggered"),
    "cdevents/incident_resolved.json": (M, "incident:resolved"),
    "cdevents/pipelinerun_finished.json": (M, "gate_decision:block"),
    "cdevents/service_deployed.json": (M, "deployment:succeeded"),
    "cdevents/service_removed.json": (M, "deployment:succeeded"),
    "cdevents/service_rolledback.json": (M, "deployment:rolled_back"),
    "cdevents/service_upgraded.json": (M, "deployment:succeeded"),
    "cdevents/v0.4.1/change_merged.json": (M, "change"),
    "cdevents/v0.4.1/incident_detected.json": (M, "incident:triggered"),
    "cdevents/v0.4.1/incident_resolved.json": (M, "incident:resolved"),
    "cdevents/v0.4.1/service_deployed.json": (M, "deployment:succeeded"),
    "claude-code-hooks/PermissionDenied.Bash.json": (M, "agent_action:destructive"),
    "claude-code-hooks/PostToolUse.Write.json": (M, "agent_action:mutate"),
    "claude-code-hooks/PostToolUseFailure.Bash.json": (M, "agent_action:read"),
    "claude-code-hooks/PreToolUse.Bash.json": (M, "agent_action:read"),
    "claude-code-hooks/PreToolUse.herdr-muse-fixture.json": (M, "agent_action:read"),
    "claude-code-hooks/SessionEnd.json": (R, "SessionEnd hook carries no tool call"),
    "claude-code-hooks/SessionStart.json": (R, "SessionStart hook carries no tool call"),
    "claude-code-hooks/Stop.json": (R, "Stop hook carries no tool call"),
    "claude-code-hooks/UserPromptSubmit.json": (R, "UserPromptSubmit hook carries no tool call"),
    "flux/event.kustomization.v1beta3-events-doc.json": (M, "deployment:failed"),
    "flux/generic-webhook.kustomization.v1beta3-providers-doc.json": (M, "deployment:failed"),
    "github/check_run.completed.failure.json": (M, "gate_decision:block"),
    "github/deployment.created.json": (M, "deployment:started"),
    "github/deployment_status.failure.json": (M, "deployment:failed"),
    "github/deployment_status.in_progress.gh-pages.json": (M, "deployment:in_progress"),
    "github/deployment_status.success.json": (M, "deployment:succeeded"),
    "github/pull_request.closed.merged.json": (M, "change"),
    "github/push.co-authored-by.json": (M, "change"),
    "github/push.new-branch.json": (M, "change"),
    "github/push.single-commit.json": (M, "change"),
    "github/workflow_job.completed.failure.json": (M, "gate_decision:block"),
    "github/workflow_run.completed.success.json": (M, "gate_decision:allow"),
    "github/workflow_run.completed.with-pull-requests.json": (M, "gate_decision:allow"),
    "gitlab/deployment.success.go-playground.json": (M, "deployment:succeeded"),
    "gitlab/deployment.success.json": (M, "deployment:succeeded"),
    "gitlab/job.production-deploy.json": (M, "deployment:succeeded"),
    "gitlab/merge_request.merged.json": (M, "change"),
    "gitlab/merge_request.opened.json": (M, "change"),
    "gitlab/pipeline.success.json": (M, "gate_decision:allow"),
    "gitlab/push.json": (M, "change"),
    "k8s-audit/create-clusterrolebinding-cluster-admin.json": (M, "agent_action:mutate_config"),
    "k8s-audit/create-clusterrolebinding.json": (M, "agent_action:mutate_config"),
    "k8s-audit/create-deployment.json": (M, "agent_action:mutate"),
    "k8s-audit/create-secret-kube-system.v1.json": (M, "agent_action:mutate_config"),
    "k8s-audit/delete-deployment.json": (M, "agent_action:destructive"),
    "k8s-audit/delete-namespace.json": (M, "agent_action:destructive"),
    "k8s-audit/exec-pod.json": (M, "agent_action:mutate_config"),
    "k8s-audit/patch-clusterrole.json": (M, "agent_action:mutate_config"),
    "opsgenie/alert.close.json": (M, "incident:resolved"),
    "opsgenie/alert.create.json": (M, "incident:triggered"),
    "otel-genai/gen_ai.input.messages.tool_call_response.json": (R, "conversation history repeats calls"),
    "otel-genai/gen_ai.output.messages.tool_call.json": (M, "agent_action:read"),
    "otel-genai/gen_ai.tool.definitions.json": (R, "declares the tools an agent may call; it calls none"),
    "pagerduty/incident.acknowledged.json": (M, "incident:acknowledged"),
    "pagerduty/incident.priority_updated.docs-example.json": (M, "incident:triggered"),
    "pagerduty/incident.priority_updated.json": (M, "incident:triggered"),
    "pagerduty/incident.resolved.json": (M, "incident:resolved"),
    "pagerduty/incident.triggered.json": (M, "incident:triggered"),
    "pagerduty/service.updated.docs-example.json": (R, "service.updated is about a service, not an incident"),
}
SOURCE_OF_FOLDER = {"claude-code-hooks": "claude-code"}


def source_and_event(relative: str) -> tuple[str, str | None]:
    """The file's folder is its source; GitHub's event is the first part of the file name."""
    folder, name = relative.split("/")[0], Path(relative).name
    return SOURCE_OF_FOLDER.get(folder, folder), name.split(".")[0] if folder == "github" else None


def _summary(event: object) -> str:
    payload = event.payload
    detail = next(
        (getattr(payload, f) for f in ("consequence_tier", "status", "decision") if hasattr(payload, f)), None
    )
    kind = event.event_type
    return kind if kind == "change" else f"{kind}:{detail}"


def test_every_file_is_listed(real_events: Path) -> None:
    files = {p.relative_to(real_events).as_posix() for p in real_events.rglob("*.json")}
    assert files == set(EXPECTED), (
        f"unlisted: {sorted(files - set(EXPECTED))}, gone: {sorted(set(EXPECTED) - files)}"
    )


@pytest.mark.parametrize("relative", sorted(EXPECTED))
def test_outcome(real_events: Path, relative: str) -> None:
    outcome, detail = EXPECTED[relative]
    source, event = source_and_event(relative)
    body = json.loads((real_events / relative).read_text(encoding="utf-8"))
    if outcome == R:
        with pytest.raises(Rejected) as err:
            adapt(source, body, event=event)
        assert detail in err.value.reason and err.value.path.startswith("$")
        return
    try:
        events = adapt(source, body, event=event)
    except MappingError as exc:
        pytest.fail(f"{relative} should map: {exc}")
    assert " ".join(_summary(e) for e in events) == detail.strip()
    for mapped in events:
        assert parse_obj(mapped.model_dump(mode="json")) == mapped  # valid against the contract
        assert mapped.occurred_at.tzinfo is not None
