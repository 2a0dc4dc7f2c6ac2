"""Merge the hook into Claude Code's ``settings.json`` without touching anything else in it."""

from __future__ import annotations

import json
import os
import shlex
import sys
from pathlib import Path
from typing import Any

from aftershock.errors import ConfigError

EVENTS = ("PreToolUse", "PostToolUse", "PostToolUseFailure", "PermissionDenied")
MARKER = "aftershock-hook"
TIMEOUT_S = 10


def hook_command(policy: str | None = None) -> str:
    """The lean entry point next to this interpreter (absolute, so PATH does not matter)."""
    script = Path(sys.executable).parent / "aftershock-hook"
    words = [str(script), "claude-code"] + (["--policy", str(Path(policy).resolve())] if policy else [])
    return shlex.join(words)


def settings_path(user: bool, project_dir: str) -> Path:
    if user:
        return Path("~/.claude/settings.json").expanduser()
    return Path(project_dir).resolve() / ".claude" / "settings.json"


def merged(settings: dict[str, Any], command: str | None) -> dict[str, Any]:
    """``settings`` with our hook entries replaced by one per event (none when ``command`` is None)."""
    hooks = settings.get("hooks", {})
    if not isinstance(hooks, dict):
        raise ConfigError("settings.json: \"hooks\" is not an object: fix it by hand first")
    out = dict(hooks)
    for event in EVENTS:
        entries = [e for e in out.get(event, []) if not _ours(e)]
        if command is not None:
            entries.append({"matcher": "*", "hooks": [{"type": "command", "command": command,
                                                       "timeout": TIMEOUT_S}]})
        if entries:
            out[event] = entries
        else:
            out.pop(event, None)
    result = dict(settings)
    if out:
        result["hooks"] = out
    else:
        result.pop("hooks", None)
    return result


def _ours(entry: Any) -> bool:
    if not isinstance(entry, dict):
        return False
    return any(isinstance(h, dict) and MARKER in str(h.get("command", "")) for h in entry.get("hooks", []))


def install(path: Path, command: str | None) -> None:
    """Write the merged settings atomically (``command`` None: uninstall)."""
    settings: dict[str, Any] = {}
    if path.exists():
        try:
            loaded = json.loads(path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot read settings ({path}): {exc}: fix or move the file") from None
        if not isinstance(loaded, dict):
            raise ConfigError(f"settings are not a JSON object ({path}): fix or move the file")
        settings = loaded
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(merged(settings, command), indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, path)
