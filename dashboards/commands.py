"""Handler of ``aftershock dashboard``: run Streamlit on ``dashboards/app.py`` for one lake
(through :mod:`dashboards.serve`, which imports what the pages need while the server starts)."""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from aftershock.errors import ConfigError

APP = Path(__file__).with_name("app.py")
LAKE_ENV = "AFTERSHOCK_DASHBOARD_LAKE"
RULES_ENV = "AFTERSHOCK_DASHBOARD_RULES"


def run(args: argparse.Namespace, settings: Any) -> int:
    if importlib.util.find_spec("streamlit") is None:
        raise ConfigError("the dashboard needs Streamlit (dashboards): pip install 'aftershock[dashboards]'")
    if not 0 < args.port < 65536:
        raise ConfigError(f"--port {args.port}: not a TCP port (1-65535)")
    if args.rules is not None and not args.rules.is_file():
        raise ConfigError(f"--rules {args.rules}: no such file")
    chosen = args.lake if args.lake is not None else settings.lake.dir
    lake = chosen if isinstance(chosen, str) else Path(chosen).resolve()  # str: an s3:// URL
    env = dict(os.environ, **{LAKE_ENV: str(lake)})
    if args.rules is not None:
        env[RULES_ENV] = str(args.rules.resolve())
    command = [sys.executable, "-m", "dashboards.serve", "run", str(APP), "--server.port", str(args.port),
               "--server.address", args.host, "--server.headless", "true",
               "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
               "--client.toolbarMode", "viewer"]
    print(f"dashboard: http://{args.host}:{args.port}/ (lake {lake}); Ctrl-C stops it", flush=True)
    return subprocess.call(command, env=env)
