"""What the mappings keep: source-native ids, times, attribution, tiers, service identity, errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from adapters.base import MappingError
from adapters.identity import Catalog, load_catalog
from adapters.registry import adapt
from adapters.tiers import cloudtrail_tier, command_tier


def _load(real_events: Path, relative: str) -> Any:
    return json.loads((real_events / relative).read_text(encoding="utf-8"))


def test_source_native_ids_are_kept(real_events: Path) -> None:
    push = adapt("github", _load(real_events, "github/push.single-commit.json"), event="push")[0]
    assert push.source_ref == "199eddf46df50de8d02e99bf1c5fdb4101338224"
    assert push.payload.vcs_ref_head_revision == push.source_ref
    pr = adapt("github", _load(real_events, "github/pull_request.closed.merged.json"), event="pull_request")[
        0
    ]
    assert (pr.payload.vcs_change_id, pr.payload.kind) == ("117", "revert")
    assert pr.source_url and pr.source_url.endswith("/pull/117")
    dep = adapt(
        "github", _load(real_events, "github/deployment_status.success.json"), event="deployment_status"
    )
    assert dep[0].source_ref == "145988746" and dep[0].deployment_environment_name == "production"
    pd = adapt("pagerduty", _load(real_events, "pagerduty/incident.triggered.json"))[0]
    assert pd.incident_id == f"pagerduty:{pd.source_ref}"
    trail = adapt("aws-cloudtrail", _load(real_events, "aws-cloudtrail/DeleteStack.json"))[0]
    assert trail.source_ref == _load(real_events, "aws-cloudtrail/DeleteStack.json")["eventID"]


def test_timestamps_from_offsets_gitlab_format_and_epoch_nanoseconds(real_events: Path) -> None:
    push = adapt("github", _load(real_events, "github/push.single-commit.json"), event="push")[0]
    assert push.occurred_at == datetime(2018, 6, 15, 20, 1, 51, tzinfo=UTC)  # -07:00 in the payload
    gitlab = adapt("gitlab", _load(real_events, "gitlab/deployment.success.json"))[0]
    assert gitlab.occurred_at == datetime(2021, 4, 28, 19, 50, tzinfo=UTC)  # "... +0200"
    closed = adapt("opsgenie", _load(real_events, "opsgenie/alert.close.json"))[0]
    assert closed.occurred_at.year == 2015  # updatedAt given as an epoch in ns


def test_hook_time_comes_from_the_delivery(real_events: Path) -> None:
    received = datetime(2026, 11, 2, 14, 3, tzinfo=UTC)
    event = adapt(
        "claude-code", _load(real_events, "claude-code-hooks/PreToolUse.Bash.json"), received_at=received
    )[0]
    assert event.occurred_at == received and event.session_id == "abc123"


def test_dependabot_co_author_is_not_ai_and_an_ai_trailer_is(real_events: Path) -> None:
    body = _load(real_events, "github/push.co-authored-by.json")
    ai = adapt("github", body, event="push")[0].payload.ai  # dependabot: asserted non-AI automation
    assert (ai.level, ai.evidence) == ("none", ["non-AI automation author dependabot[bot]"])
    for commit in [body["head_commit"], *body["commits"]]:
        commit["message"] += "\nCo-authored-by: Claude <noreply@anthropic.com>"
    ai = adapt("github", body, event="push")[0].payload.ai
    assert (ai.level, ai.tool) == ("co_authored", "claude-code")


def test_agent_command_secrets_are_redacted(real_events: Path) -> None:
    body = _load(real_events, "claude-code-hooks/PreToolUse.Bash.json")
    body["tool_input"]["command"] = "DB_PASSWORD=hunter2 psql -c 'drop table users'"
    event = adapt("claude-code", body)[0]
    assert "hunter2" not in event.model_dump_json()
    assert event.payload.consequence_tier == "destructive"
    assert {r.path for r in event.redactions} == {"$.payload.command", "$.payload.tool_input_json"}


@pytest.mark.parametrize(
    ("command", "tier"),
    [
        ("terraform destroy -auto-approve", "destructive"),
        ("rm -rf /var/lib/app", "destructive"),
        ("git push --force origin main", "destructive"),
        ("kubectl delete namespace payments", "destructive"),
        ("kubectl apply -f deploy.yaml", "mutate_config"),
        ("git status", "read"),
        ("npm install", "mutate"),
        ("ls -la > out.txt", "mutate"),
    ],
)
def test_command_tiers(command: str, tier: str) -> None:
    assert command_tier(command) == tier


def test_cloudtrail_tiers() -> None:
    assert cloudtrail_tier("TerminateInstances", False) == "destructive"
    assert cloudtrail_tier("PutRolePolicy", False) == "mutate_config"
    assert cloudtrail_tier("DescribeInstances", True) == "read"


def test_service_identity_defaults_and_catalog(real_events: Path, tmp_path: Path) -> None:
    push = adapt("github", _load(real_events, "github/push.single-commit.json"), event="push")[0]
    assert push.service_name == "hello-world"  # repository name, lower-cased
    pd = adapt("pagerduty", _load(real_events, "pagerduty/incident.priority_updated.docs-example.json"))[0]
    assert pd.service_name == "api-service"
    catalog_file = tmp_path / "catalog.toml"
    catalog_file.write_text(
        '[[services]]\nname = "payments"\nrepositories = ["codertocat/hello-world"]\n'
        'paging_ids = ["PF9KMXH"]\ncriticality = 1\n'
    )
    catalog = load_catalog(catalog_file)
    push = adapt(
        "github", _load(real_events, "github/push.single-commit.json"), event="push", catalog=catalog
    )[0]
    assert push.service_name == "payments"
    pd = adapt(
        "pagerduty",
        _load(real_events, "pagerduty/incident.priority_updated.docs-example.json"),
        catalog=catalog,
    )[0]
    assert pd.service_name == "payments"
    assert pd.payload.affected_services[0].criticality == 1


def test_catalog_error_names_the_entry(tmp_path: Path) -> None:
    from aftershock.errors import ConfigError

    bad = tmp_path / "catalog.json"
    bad.write_text('{"services": [{"name": "a"}, {"name": "b", "criticality": 9}]}')
    with pytest.raises(ConfigError, match=r"services\[1\]: criticality must be 1..4"):
        load_catalog(bad)
    assert Catalog().for_repository("Acme/Payments-API") == "payments-api"


def test_bad_input_names_source_event_path_and_reason(real_events: Path) -> None:
    body = _load(real_events, "github/deployment_status.success.json")
    del body["deployment"]["sha"]
    with pytest.raises(MappingError) as err:
        adapt("github", body, event="deployment_status")
    assert str(err.value) == "github deployment_status: $.deployment.sha: missing (the mapping needs it)"
    with pytest.raises(MappingError, match="unknown source; known: aws-cloudtrail"):
        adapt("jira", {})
    with pytest.raises(MappingError, match="unsupported GitHub event 'star'"):
        adapt("github", body, headers={"X-GitHub-Event": "star"})
    with pytest.raises(MappingError, match=r"\$.occurred_at|timestamp"):
        broken = _load(real_events, "pagerduty/incident.triggered.json")
        broken["event"]["occurred_at"] = "2021-06-04T13:35:29"
        adapt("pagerduty", broken)


def test_github_pull_request_keeps_every_size_field(real_events: Path) -> None:
    """additions, deletions and changed_files arrive: totals in the payload, the file count (a PR
    webhook lists no files) as the attribute the risk rules read for files."""
    from analytics.rules.evaluate import FILES_CHANGED_ATTRIBUTE, evaluate_change
    from analytics.rules.model import parse_rules

    body = _load(real_events, "github/pull_request.closed.merged.json")
    stated = adapt("github", body, event="pull_request")[0]
    assert (stated.payload.lines_added, stated.payload.lines_deleted) == (0, 0)
    assert stated.attributes[FILES_CHANGED_ATTRIBUTE] == "0"
    body["pull_request"] |= {"additions": 120, "deletions": 7, "changed_files": 9}
    pr = adapt("github", body, event="pull_request")[0]
    assert (pr.payload.lines_added, pr.payload.lines_deleted, pr.payload.files) == (120, 7, [])
    assert pr.attributes[FILES_CHANGED_ATTRIBUTE] == "9"
    rules = parse_rules('version = "t"\n[[rule]]\nid = "wide"\nweight = 1.0\nwhen.files_min = 9\n'
                        '[[tier]]\nname = "low"\nmin_score = 0\n', "test")
    assert evaluate_change(rules, pr).rules_fired == ("wide",)
    assert evaluate_change(rules, stated).rules_fired == ()
    del body["pull_request"]["changed_files"]
    assert FILES_CHANGED_ATTRIBUTE not in adapt("github", body, event="pull_request")[0].attributes


@pytest.mark.parametrize(("source", "name", "event"), [
    ("github", "github/push.single-commit.json", "push"), ("gitlab", "gitlab/push.json", None)])
def test_a_push_cut_at_the_file_limit_keeps_its_file_count(real_events: Path, source: str, name: str,
                                                           event: str | None) -> None:
    """A push lists at most MAX_FILES paths; a longer one states its full count, which the risk
    rules read as its files (analytics/RULES.md "Semantics"); a push within the limit states none."""
    from adapters.vcs import FILES_CHANGED_ATTRIBUTE, MAX_FILES
    from analytics.rules.evaluate import evaluate_change
    from analytics.rules.model import parse_rules

    body = _load(real_events, name)
    plain = adapt(source, body, event=event)[0]
    assert FILES_CHANGED_ATTRIBUTE not in plain.attributes and plain.payload.files
    body["commits"][-1]["added"] = [f"gen/f{i}.py" for i in range(MAX_FILES + 150)]
    cut = adapt(source, body, event=event)[0]
    assert len(cut.payload.files) == MAX_FILES
    total = len({p for c in body["commits"] for k in ("added", "modified", "removed") for p in c.get(k, [])})
    assert cut.attributes[FILES_CHANGED_ATTRIBUTE] == str(total) and total > MAX_FILES + 150 - 1
    rules = parse_rules(f'version = "t"\n[[rule]]\nid = "wide"\nweight = 1.0\nwhen.files_min = {total}\n'
                        '[[tier]]\nname = "low"\nmin_score = 0\n', "test")
    assert evaluate_change(rules, cut).rules_fired == ("wide",)


def test_gitlab_merge_request_keeps_a_stated_changes_count(real_events: Path) -> None:
    """The merge request hook lists no files; a changes_count it carries ("1000+" when capped)
    arrives as the file count; the real hook payloads carry none, and then nothing is invented."""
    from analytics.rules.evaluate import FILES_CHANGED_ATTRIBUTE, evaluate_change
    from analytics.rules.model import parse_rules

    body = _load(real_events, "gitlab/merge_request.merged.json")
    assert FILES_CHANGED_ATTRIBUTE not in adapt("gitlab", body)[0].attributes
    body["object_attributes"]["changes_count"] = "12"
    mr = adapt("gitlab", body)[0]
    assert mr.attributes[FILES_CHANGED_ATTRIBUTE] == "12"
    rules = parse_rules('version = "t"\n[[rule]]\nid = "wide"\nweight = 1.0\nwhen.files_min = 12\n'
                        '[[tier]]\nname = "low"\nmin_score = 0\n', "test")
    assert evaluate_change(rules, mr).rules_fired == ("wide",)
    body["object_attributes"]["changes_count"] = "1000+"
    assert adapt("gitlab", body)[0].attributes[FILES_CHANGED_ATTRIBUTE] == "1000"
    body["object_attributes"]["changes_count"] = "many"
    assert FILES_CHANGED_ATTRIBUTE not in adapt("gitlab", body)[0].attributes
