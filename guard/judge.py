"""One tool call judged under a policy: scene, findings, verdict (no I/O besides .git/HEAD)."""

from __future__ import annotations

import os
import re
import time
from typing import Any

from guard.decide import Call, Verdict, decide, environments_of
from guard.findings import Finding, Scene
from guard.policy import Policy
from guard.shell import BUDGET_S
from guard.tools import tool_findings

_WORD_SPLIT = re.compile(r"[\s'\"=;|&(){}`$<>,:\\]+")


def scene_of(policy: Policy, cwd: str, home: str | None = None) -> Scene:
    return Scene(workspace=os.path.normpath(cwd or "/"), home=home or os.path.expanduser("~"),
                 protected=policy.protected, unknown_tier=policy.unknown_tier,
                 fallback_tier=policy.fallback_tier, over_budget_tier=policy.over_budget_tier)


def judge(policy: Policy, tool: str, tool_input: dict[str, Any], cwd: str, *, agent: str = "claude-code",
          environment: str | None = None, home: str | None = None) -> tuple[Verdict, list[Finding]]:
    """The verdict on one call and the findings behind it."""
    scene = scene_of(policy, cwd, home)
    findings = tool_findings(tool, tool_input, scene, time.monotonic() + BUDGET_S)
    text = " ".join(str(v) for k, v in tool_input.items() if isinstance(v, str) and k != "description")
    words = [w for w in _WORD_SPLIT.split(text[:65_536]) if w][:4096]
    call = Call(tool, agent, environments_of(policy, environment, scene.workspace, words))
    return decide(findings, policy, call, scene_of(policy, cwd, home)), findings
