"""Subcommands of ``dashboards`` (argparse only: nothing heavy is imported here)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from lake.options import add_lake_option


def register(sub: Any) -> None:
    """Add this area's subcommands to the ``aftershock`` parser."""
    board = sub.add_parser(
        "dashboard", help="open the Streamlit dashboard over a lake (prints its URL)",
        description="Serve the dashboard (overview, changes & AI, incidents, agents & guardrails, risk "
        "rules, postmortem explorer) over the lake's stored model. Pages never build the model: when "
        "the lake moved on they show the newest stored one and rebuild it in the background. Needs the "
        "`dashboards` extra (pip install 'aftershock[dashboards]').",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    add_lake_option(board)
    board.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    board.add_argument("--port", type=int, default=8501, help="port to listen on (default 8501)")
    board.add_argument("--rules", type=Path, default=None, metavar="FILE",
                       help="rules file the risk-rules page backtests "
                       "(default: analytics/rules/default.toml)")
    board.set_defaults(handler="dashboards.commands:run")
