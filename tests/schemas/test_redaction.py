"""Secret redaction: every kind is caught, the rest of the text survives, the event says where."""

from __future__ import annotations

import json

import pytest

from schemas.event import AgentActionEvent, parse_obj
from schemas.examples import example_event
from schemas.redaction import redact_event, redact_text

CASES = [
    ("aws s3 ls --profile x AKIAIOSFODNN7EXAMPLE", "aws_access_key_id", "AKIAIOSFODNN7EXAMPLE"),
    ("export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_secret_access_key",
     "wJalrXUtnFEMI"),
    ("git clone https://alice:s3cr3tpass@github.com/acme/x.git", "url_password", "s3cr3tpass"),
    ("curl -H 'Authorization: Bearer abcdefghijklmnop.qrs' https://x", "bearer_token", "abcdefghijkl"),
    ("gh auth login --with-token ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", "github_token", "ghp_aBcD"),
    ("curl --header 'PRIVATE-TOKEN: glpat-abcdefghij0123456789xyz'", "gitlab_token", "glpat-abc"),
    ("SLACK=xoxb-1234567890-abcdefghij", "slack_token", "xoxb-123"),
    ("-----BEGIN RSA PRIVATE KEY-----\nMIIEabc\n-----END RSA PRIVATE KEY-----", "private_key", "MIIEabc"),
    ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcDEF", "jwt", "eyJzdWIi"),
    ("mysql --password hunter2 -u root", "secret_assignment", "hunter2"),
    ("DB_PASSWORD=hunter2 ./migrate", "secret_assignment", "hunter2"),
    ("GITHUB_TOKEN=abc123 gh pr list", "secret_assignment", "abc123"),
    ("GITHUB_TOKEN=ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789 gh pr list", "github_token", "ghp_aBcD"),
    ('{"api_key": "sk-123456", "n": 1}', "secret_json_field", "sk-123456"),
    ("post to https://hooks.slack.com/services/T000/B000/XXXXsecret", "slack_webhook", "XXXXsecret"),
]


@pytest.mark.parametrize(("text", "kind", "secret"), CASES)
def test_each_kind_of_secret_is_redacted(text: str, kind: str, secret: str) -> None:
    clean, kinds = redact_text(text)
    assert secret not in clean
    assert f"[REDACTED:{kind}]" in clean
    assert kind in kinds


@pytest.mark.parametrize("text", ["ls -la /tmp", "max_tokens=100", "PASSWORD=$DB_PASSWORD",
                                  "mysql --password=$PW", "kubectl delete namespace payments"])
def test_harmless_text_is_left_alone(text: str) -> None:
    assert redact_text(text) == (text, [])


def test_context_around_a_secret_is_kept() -> None:
    clean, _ = redact_text("git clone https://alice:pw1234@github.com/acme/x.git && make")
    assert clean == "git clone https://alice:[REDACTED:url_password]@github.com/acme/x.git && make"


def test_json_text_stays_valid_json() -> None:
    tool_input = json.dumps({"command": 'DB_PASSWORD="hunter2" psql', "token": "abc", "n": 1})
    clean, kinds = redact_text(tool_input)
    data = json.loads(clean)
    assert "hunter2" not in clean and "abc" not in data["token"]
    assert kinds == ["secret_assignment", "secret_json_field"]


def test_event_is_redacted_and_records_paths() -> None:
    event = example_event(
        "agent_action",
        payload={**example_event("agent_action").payload.model_dump(),
                 "command": "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE aws s3 ls",
                 "tool_input_json": '{"command": "curl -H \\"Authorization: Bearer tok12345678\\""}'},
        attributes={"team": "payments", "url": "postgres://app:pw1234@db:5432/x"},
    )
    clean = redact_event(event)
    assert isinstance(clean, AgentActionEvent)
    dumped = clean.model_dump_json()
    for secret in ("AKIAIOSFODNN7EXAMPLE", "tok12345678", "pw1234"):
        assert secret not in dumped
    paths = {(r.path, r.kind) for r in clean.redactions}
    assert ("$.payload.command", "aws_access_key_id") in paths
    assert ("$.payload.tool_input_json", "bearer_token") in paths
    assert ("$.attributes.url", "url_password") in paths
    assert len(clean.redactions) == len(event.redactions) + 3
    assert parse_obj(clean.model_dump(mode="json")) == clean  # still a valid event


def test_clean_event_is_returned_unchanged() -> None:
    event = example_event("change", redactions=[])
    assert redact_event(event) is event


def test_incident_title_is_scanned() -> None:
    event = example_event("incident")
    payload = event.payload.model_copy(update={"title": "leak of ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"})
    clean = redact_event(event.model_copy(update={"payload": payload}))
    assert "ghp_" not in clean.payload.model_dump_json()
    assert clean.redactions[-1].path == "$.payload.title"
