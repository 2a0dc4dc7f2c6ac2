"""What the guard found about a tool call: tiers, labels, targets; and where it happens."""

from __future__ import annotations

from typing import NamedTuple

# the consequence tiers of schemas.agent_action, in order (kept as plain strings: no pydantic here)
TIERS = ("read", "propose", "mutate", "mutate_config", "destructive")
RANK = {tier: rank for rank, tier in enumerate(TIERS)}


class Finding(NamedTuple):
    """One thing a tool call does: its tier, a label policies match on, the paths or refs it hits."""

    tier: str
    label: str
    what: str  # the words it was found in, shortened, for the reason shown to the agent
    targets: tuple[str, ...] = ()


class Scene:
    """Where the call happens: the workspace (the session's cwd), the current directory of the
    command (``cd`` moves it; None once it depends on the run), the user's home, the protected
    path globs, the policy's tiers for unknown and uninspectable commands."""

    __slots__ = ("workspace", "home", "protected", "unknown_tier", "fallback_tier", "over_budget_tier",
                 "cwd")

    def __init__(self, workspace: str, home: str, protected: tuple[str, ...] = (),
                 unknown_tier: str = "mutate", fallback_tier: str = "mutate_config",
                 over_budget_tier: str = "destructive", cwd: str | None = None) -> None:
        self.workspace, self.home, self.protected = workspace, home, protected
        self.unknown_tier, self.fallback_tier = unknown_tier, fallback_tier
        self.over_budget_tier = over_budget_tier
        self.cwd: str | None = workspace if cwd is None else cwd

    def copy(self) -> Scene:
        """The same scene for a nested shell (its ``cd`` does not move this one)."""
        return Scene(self.workspace, self.home, self.protected, self.unknown_tier, self.fallback_tier,
                     self.over_budget_tier, self.cwd)


def highest(findings: list[Finding]) -> str:
    return max((f.tier for f in findings), key=RANK.__getitem__, default="read")


def short(words: tuple[str, ...] | list[str], limit: int = 80) -> str:
    text = " ".join(w.replace("\x00", "") for w in words)
    return text if len(text) <= limit else text[: limit - 3] + "..."
