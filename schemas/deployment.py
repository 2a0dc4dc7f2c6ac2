"""``deployment``: one step of shipping an artifact to an environment."""

from __future__ import annotations

from typing import Literal

from schemas.common import Model, UtcDatetime, field

Strategy = Literal["all_at_once", "staged", "canary", "unknown"]
DeploymentStatus = Literal["started", "in_progress", "succeeded", "failed", "rolled_back"]


class Deployment(Model):
    regions: list[str] = field("Regions the deployment reached.", ["eu-west-1"],
                               default_factory=list)
    cells: list[str] = field("Cells the deployment reached.", ["cell-1", "cell-2"],
                             default_factory=list)
    artifact: str | None = field("Artifact id or image reference.",
                                 "registry.example.com/payments:1.42.0", default=None)
    vcs_ref_head_revision: str | None = field("OTel vcs.ref.head.revision deployed.",
                                              "9f1c2e7d0c4b", default=None)
    commit_shas: list[str] = field("Commit shas this deployment ships.", ["9f1c2e7d0c4b"],
                                   default_factory=list)
    change_ids: list[str] = field("Change ids this deployment ships.", ["acme/payments#42"],
                                  default_factory=list)
    strategy: Strategy = field("all_at_once, staged, canary or unknown.", "canary",
                               default="unknown")
    stage: str | None = field("Stage or wave of a staged/canary rollout.", "canary-5pct",
                              default=None)
    status: DeploymentStatus = field(
        "started, in_progress, succeeded, failed or rolled_back.", "succeeded"
    )
    rollback_of: str | None = field("The deployment this one rolls back.",
                                    "deploy-2026-11-02-0006", default=None)
    started_at: UtcDatetime | None = field("When the deployment started.",
                                           "2026-11-02T14:00:00Z", default=None)
    finished_at: UtcDatetime | None = field("When it finished.", "2026-11-02T14:09:00Z",
                                            default=None)
    initiator: str | None = field("Who or what started it.", "github-actions[bot]", default=None)
