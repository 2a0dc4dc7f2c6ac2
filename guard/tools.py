"""Any tool call -> findings: Bash by its command, file tools by their path, MCP tools by name."""

from __future__ import annotations

import re
from typing import Any

from guard.analyze import analyze
from guard.findings import Finding, Scene
from guard.paths import inside, matches_any, resolve

_READ_TOOLS = {"read", "grep", "glob", "ls", "webfetch", "websearch", "notebookread", "todoread",
               "bashoutput", "listmcpresourcestool", "readmcpresourcetool"}
_PROPOSE_TOOLS = {"todowrite", "exitplanmode", "task", "agent", "enterplanmode", "askuserquestion"}
_EDIT_TOOLS = {"write", "edit", "multiedit", "notebookedit"}
_MCP_DESTRUCTIVE = (r"(?i)"
    r"(^|_|-)(delete|destroy|drop|remove|purge|terminate|truncate|wipe|"
                              r"uninstall|force_push|reset)")
_MCP_READ = (r"(?i)"
    r"^(get|list|read|search|fetch|find|describe|lookup|query|view|show|browse|"
                       r"download|resolve|count|check)")
_MCP_CONFIG = (r"(?i)"
    r"(^|_|-)(deploy|apply|merge|publish|release|grant|revoke|permission|"
                         r"secret|config|setting|role|policy)")


def tool_findings(tool: str, tool_input: dict[str, Any], scene: Scene, deadline: float) -> list[Finding]:
    """Findings of one tool call (never empty)."""
    name = tool.lower()
    if name == "bash":
        command = tool_input.get("command")
        if not isinstance(command, str):
            return [Finding(scene.fallback_tier, "unparsable", "Bash call without a command string")]
        return analyze(command, scene, deadline)
    if name in _READ_TOOLS:
        return [Finding("read", "read-only", tool)]
    if name in _PROPOSE_TOOLS:
        return [Finding("propose", "propose", tool)]
    if name in _EDIT_TOOLS:
        return _edit(tool, tool_input, scene)
    if name in ("killshell", "killbash"):
        return [Finding("mutate", "process", tool)]
    if name.startswith("mcp__"):
        return [_mcp(tool)]
    return [Finding(scene.unknown_tier, "unknown-tool", tool)]


def _edit(tool: str, tool_input: dict[str, Any], scene: Scene) -> list[Finding]:
    raw = tool_input.get("file_path") or tool_input.get("notebook_path") or tool_input.get("path")
    if not isinstance(raw, str) or not raw:
        return [Finding(scene.fallback_tier, "unparsable", f"{tool} call without a file path")]
    path = resolve(raw, scene.workspace, scene.home)
    if path is None:
        return [Finding(scene.fallback_tier, "unparsable", f"{tool} of an unresolvable path {raw[:80]}")]
    what = f"{tool} {path}"
    if matches_any(scene.protected, path, scene.workspace, scene.home):
        return [Finding("mutate_config", "protected-path", what, (path,))]
    if not inside(path, scene.workspace):
        return [Finding("mutate", "edit-outside-workspace", what, (path,))]
    return [Finding("mutate", "edit", what, (path,))]


def _mcp(tool: str) -> Finding:
    """``mcp__<server>__<tool>``: tiered by the tool's name; policy rows match the full name."""
    parts = tool.split("__", 2)
    short_name = parts[2] if len(parts) == 3 else tool
    if re.search(_MCP_DESTRUCTIVE, short_name):
        return Finding("destructive", "mcp-destructive", tool)
    if re.match(_MCP_READ, short_name):
        return Finding("read", "mcp-read", tool)
    if re.search(_MCP_CONFIG, short_name):
        return Finding("mutate_config", "mcp-config", tool)
    return Finding("mutate", "mcp-mutate", tool)
