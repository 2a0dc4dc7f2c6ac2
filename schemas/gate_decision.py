"""``gate_decision``: a risk gate's evaluation of a change or an agent action."""

from __future__ import annotations

from typing import Literal

from schemas.common import Model, ShortStr, Text, field

GateVerdict = Literal["allow", "require_review", "block"]


class GateDecision(Model):
    subject_kind: Literal["change", "agent_action"] = field("What was evaluated.", "change")
    subject_id: ShortStr = field("Id of the change or action evaluated.", "acme/payments#42")
    gate: ShortStr = field("Which gate decided (ci, agent-hook...).", "ci")
    inputs_json: Text = field("The attributes the rules saw, as JSON text.",
                              '{"lines_added": 420, "path_categories": ["iam_policy"]}')
    score: float = field("Risk score.", 7.5)
    tier: ShortStr = field("Risk tier.", "high")
    rules_fired: list[str] = field("Ids of the rules that fired.", ["iam-touch"],
                                   default_factory=list)
    required_verification: list[str] = field("What the tier requires before release.",
                                             ["second_reviewer", "canary"], default_factory=list)
    decision: GateVerdict = field("allow, require_review or block.", "require_review")
    override: bool = field("Whether a human overrode the decision.", False, default=False)
    approved_by: list[str] = field("Who approved the override.", [], default_factory=list)
    rules_version: str | None = field("Version of the rules file.", "2026-11-01", default=None)
