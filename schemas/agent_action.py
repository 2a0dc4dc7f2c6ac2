"""``agent_action``: one tool call (or cloud/cluster API call) made by an agent or automation."""

from __future__ import annotations

from typing import Literal

from schemas.common import Model, ShortStr, Text, field

ConsequenceTier = Literal["read", "propose", "mutate", "mutate_config", "destructive"]
Authorization = Literal["none", "policy", "human", "second_human"]
Decision = Literal["allowed", "asked", "denied"]
Outcome = Literal["succeeded", "failed", "blocked", "unknown"]

TIER_ORDER: tuple[ConsequenceTier, ...] = ("read", "propose", "mutate", "mutate_config", "destructive")


class AgentAction(Model):
    gen_ai_agent_name: ShortStr = field(
        "OTel gen_ai.agent.name: the agent or automation that acted.", "claude-code"
    )
    gen_ai_request_model: str | None = field(
        "OTel gen_ai.request.model: the model behind the agent.", "claude-sonnet-4-5", default=None
    )
    enduser_id: str | None = field(
        "OTel enduser.id: the human principal the agent acts for.", "alice@example.com",
        default=None,
    )
    gen_ai_tool_name: ShortStr = field(
        "OTel gen_ai.tool.name: the tool or API called.", "Bash"
    )
    gen_ai_tool_call_id: str | None = field(
        "OTel gen_ai.tool.call.id: links the before and after records of one call.",
        "toolu_01ABC123", default=None,
    )
    cloud_account_id: str | None = field(
        "OTel cloud.account.id: the cloud account the call was made in.", "123456789012",
        default=None,
    )
    verb: ShortStr = field("What the call does, normalised (delete, apply, exec, read...).",
                           "delete")
    target_resource: str | None = field(
        "The resource acted on, as kind:name.", "k8s:namespace/payments", default=None
    )
    command: Text | None = field(
        "The command or request, with secrets redacted.", "kubectl delete namespace payments",
        default=None,
    )
    tool_input_json: Text | None = field(
        "The tool input as JSON text, with secrets redacted.", '{"command": "ls"}', default=None
    )
    consequence_tier: ConsequenceTier = field(
        "How bad the action is if wrong: read < propose < mutate < mutate_config < destructive.",
        "destructive",
    )
    authorization: Authorization = field(
        "Strongest authorization the action had: none, policy, human, second_human.", "human"
    )
    approvers: list[str] = field(
        "Who authorized it, in order.", ["alice@example.com"], default_factory=list
    )
    decision: Decision = field("What the guardrail decided: allowed, asked, denied.", "denied")
    outcome: Outcome = field(
        "What happened: succeeded, failed, blocked (by a guardrail) or unknown.", "blocked",
        default="unknown",
    )
    error_message: str | None = field(
        "The error when the action failed or was denied.", "second authorization required",
        default=None,
    )
