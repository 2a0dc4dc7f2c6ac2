"""The guard's folder: ``$AFTERSHOCK_GUARD_HOME``, else ``~/.aftershock/guard``.

It holds ``spool/`` (decisions not shipped yet), ``grants/`` (tokens handed in), ``used/`` (grant
ids already used), ``requests/`` (actions waiting for a grant) and ``cache/`` (parsed policies).
"""

from __future__ import annotations

import os
from pathlib import Path


def home() -> Path:
    return Path(os.environ.get("AFTERSHOCK_GUARD_HOME") or "~/.aftershock/guard").expanduser()
