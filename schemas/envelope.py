"""The envelope every event shares.

Field names follow OpenTelemetry semantic conventions where one exists, with dots written as
underscores (``service.name`` -> ``service_name``), so one name serves JSON, Python and SQL.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator

from schemas.common import SCHEMA_VERSION, Model, ShortStr, UtcDatetime, field

MAX_ATTRIBUTES = 64
ATTRIBUTE_KEY_MAX, ATTRIBUTE_VALUE_MAX = 128, 1024  # characters


class Redaction(Model):
    """A secret removed from the event before it left the producing process."""

    path: str = field("JSON path of the field that held the secret.", "$.payload.command")
    kind: str = field("Kind of secret found.", "aws_access_key_id")


class Envelope(Model):
    event_id: ShortStr = field(
        "Producer-assigned id; (source, event_id) is the dedupe key.", "01J9Z3J8C2Q5V7W4X6Y8Z0A1B2"
    )
    schema_version: Annotated[str, Field(pattern=r"^\d+\.\d+$")] = field(
        "major.minor version of the contract this event was written under.", SCHEMA_VERSION,
        default=SCHEMA_VERSION,
    )
    source: ShortStr = field(
        "Who produced the event: a system name such as github, pagerduty, claude-code, "
        "aftershock.sdk or aftershock.simulator.", "github"
    )
    source_ref: str | None = field(
        "The source-native id of the thing this event is about (GitHub deployment id, PagerDuty "
        "incident id, CloudTrail eventID, commit sha).", "Q2KVGLBR2B4DDE", default=None
    )
    source_url: str | None = field(
        "A link to the thing in its source system.", "https://github.com/acme/payments/pull/42",
        default=None,
    )
    occurred_at: UtcDatetime = field(
        "When it happened (timezone-aware; stored as UTC).", "2026-11-02T14:03:11Z"
    )
    emitted_at: UtcDatetime | None = field(
        "When the producer sent it (timezone-aware; stored as UTC).", "2026-11-02T14:03:12Z",
        default=None,
    )
    service_name: str | None = field(
        "OTel service.name of the service concerned.", "payments-api", default=None
    )
    deployment_environment_name: str | None = field(
        "OTel deployment.environment.name.", "production", default=None
    )
    cloud_region: str | None = field("OTel cloud.region.", "eu-west-1", default=None)
    cell: str | None = field("Cell, shard or availability zone within the region.", "cell-3",
                             default=None)
    change_id: str | None = field(
        "Correlation: the change this event belongs to (repository@sha or PR id).",
        "acme/payments@9f1c2e7", default=None,
    )
    deployment_id: str | None = field(
        "Correlation: the deployment this event belongs to.", "deploy-2026-11-02-0007", default=None
    )
    incident_id: str | None = field(
        "Correlation: the incident this event belongs to.", "inc-0042", default=None
    )
    session_id: str | None = field(
        "Correlation: the agent session (OTel gen_ai.conversation.id).", "sess-7f3a", default=None
    )
    attributes: dict[str, str] = field(
        f"Free-form string attributes, at most {MAX_ATTRIBUTES} entries.", {"team": "payments"},
        default_factory=dict,
    )
    redactions: list[Redaction] = field(
        "Secrets that were redacted from this event, and where.",
        [{"path": "$.payload.command", "kind": "aws_access_key_id"}], default_factory=list,
    )

    @field_validator("attributes")
    @classmethod
    def _bounded(cls, value: dict[str, str]) -> dict[str, str]:
        if len(value) > MAX_ATTRIBUTES:
            raise ValueError(f"at most {MAX_ATTRIBUTES} attributes, got {len(value)}")
        for key, item in value.items():
            if len(key) > ATTRIBUTE_KEY_MAX or len(item) > ATTRIBUTE_VALUE_MAX:
                from schemas.redaction import redact_text  # the key is shown: without its secrets

                raise ValueError(f"attribute {redact_text(key)[0][:40]!r}: key <= {ATTRIBUTE_KEY_MAX} "
                                 f"and value <= {ATTRIBUTE_VALUE_MAX} characters")
        return value
