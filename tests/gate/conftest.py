from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, env: dict[str, str] | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``aftershock <args>`` in a fresh interpreter (the real command line)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    return subprocess.run([sys.executable, "-m", "aftershock", *args], capture_output=True, text=True,
                          env=base | (env or {}), cwd=cwd or ROOT, check=False)


def classify_json(*args: str, **kw: Any) -> tuple[int, dict[str, Any]]:
    done = run_cli("classify", *args, "--format", "json", **kw)
    assert done.returncode in (0, 10, 11), done.stderr
    return done.returncode, json.loads(done.stdout)
