"""``change``: a code or configuration change (commit, pull/merge request, revert)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from schemas.common import INT64_MAX, Model, ShortStr, UtcDatetime, field

AILevel = Literal["none", "suggested", "co_authored", "agent_authored", "unknown"]
AuthorKind = Literal["human", "bot", "agent", "unknown"]
PathCategory = Literal[
    "app_code", "deploy_logic", "iam_policy", "shared_library", "control_plane", "config",
    "data_migration", "tests", "docs", "other",
]
ChangeKind = Literal["commit", "pull_request", "merge", "revert"]

AI_LEVELS: tuple[AILevel, ...] = ("none", "suggested", "co_authored", "agent_authored", "unknown")


class FileChange(Model):
    path: ShortStr = field("Repository-relative path.", "deploy/helm/values-prod.yaml")
    lines_added: int | None = field("Lines added.", 12, default=None, ge=0, le=INT64_MAX)
    lines_deleted: int | None = field("Lines deleted.", 3, default=None, ge=0, le=INT64_MAX)
    category: PathCategory | None = field("Path category this file falls in.", "deploy_logic",
                                          default=None)


class AIAttribution(Model):
    level: AILevel = field(
        "How much of the change an AI wrote. `unknown` when no marker was found: the absence of a "
        "marker never means `none` unless the source asserts it.", "co_authored",
    )
    tool: str | None = field("The AI tool (Claude Code, Copilot, Cursor...).", "claude-code",
                             default=None)
    model: str | None = field("The model, when the marker names it.", "claude-opus-4",
                              default=None)
    confidence: Annotated[float, Field(ge=0.0, le=1.0)] = field(
        "How sure the attribution is, 0..1.", 0.9, default=0.0
    )
    evidence: list[str] = field(
        "The markers found (trailers, labels, bot author).",
        ["Co-authored-by: Claude <noreply@anthropic.com>"], default_factory=list,
    )


class RiskAssessment(Model):
    score: float = field("Risk score from the rules file.", 7.5)
    tier: ShortStr = field("Risk tier.", "high")
    rules_fired: list[str] = field("Ids of the rules that fired.", ["iam-touch", "large-change"],
                                   default_factory=list)
    rules_version: str | None = field("Version of the rules file.", "2026-11-01", default=None)


class Change(Model):
    vcs_repository_name: ShortStr = field("OTel vcs.repository.name.", "payments")
    vcs_repository_url_full: str | None = field(
        "OTel vcs.repository.url.full.", "https://github.com/acme/payments", default=None
    )
    vcs_ref_head_revision: str | None = field(
        "OTel vcs.ref.head.revision: head commit sha.", "9f1c2e7d0c4b", default=None
    )
    vcs_ref_base_name: str | None = field("OTel vcs.ref.base.name: target branch.", "main",
                                          default=None)
    vcs_ref_head_name: str | None = field("OTel vcs.ref.head.name: the branch pushed or proposed.",
                                          "fix/retry-budget", default=None)
    commit_shas: list[str] = field("All commit shas of the change.", ["9f1c2e7d0c4b"],
                                   default_factory=list)
    vcs_change_id: str | None = field("OTel vcs.change.id: PR/MR number.", "42", default=None)
    vcs_change_title: str | None = field("OTel vcs.change.title.", "Tighten retry budget",
                                         default=None)
    kind: ChangeKind = field("commit, pull_request, merge or revert.", "pull_request",
                             default="commit")
    author: ShortStr = field("Author login or email.", "alice")
    author_kind: AuthorKind = field("human, bot, agent or unknown.", "human", default="unknown")
    files: list[FileChange] = field(
        "Files touched.", [{"path": "src/app.py", "lines_added": 10, "lines_deleted": 2}],
        default_factory=list,
    )
    lines_added: int | None = field("Total lines added.", 120, default=None, ge=0, le=INT64_MAX)
    lines_deleted: int | None = field("Total lines deleted.", 30, default=None, ge=0, le=INT64_MAX)
    path_categories: list[PathCategory] = field(
        "Distinct path categories touched.", ["app_code", "config"], default_factory=list
    )
    ai: AIAttribution = field(
        "AI attribution.", {"level": "unknown"}, default_factory=lambda: AIAttribution(level="unknown")
    )
    risk: RiskAssessment | None = field("Risk assessment by the gate, if any.",
                                        {"score": 7.5, "tier": "high"}, default=None)
    approvals: list[str] = field("Who approved the change.", ["bob"], default_factory=list)
    labels: list[str] = field("Labels of the pull/merge request.", ["ai-assisted"],
                              default_factory=list)
    forced: bool | None = field("Whether the push rewrote history (force-push).", False, default=None)
    review_count: int | None = field("Number of reviews.", 2, default=None, ge=0, le=INT64_MAX)
    committed_at: UtcDatetime | None = field(
        "First commit time (start of lead time for changes).", "2026-11-01T09:00:00Z",
        default=None,
    )
    merged_at: UtcDatetime | None = field("When it was merged.", "2026-11-01T12:00:00Z",
                                          default=None)
    reverts_change_id: str | None = field("The change this one reverts.", "acme/payments@1a2b3c",
                                          default=None)
