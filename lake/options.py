"""The one ``--lake`` option every command shares (argparse only: nothing heavy is imported)."""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = "lake folder (default: AFTERSHOCK_LAKE__DIR, else ./lake)"


def add_lake_option(parser: argparse.ArgumentParser, help_text: str = HELP) -> None:
    """Add ``--lake DIR`` to ``parser`` (resolved by :func:`lake.location.resolve_lake`)."""
    parser.add_argument("--lake", type=Path, default=None, metavar="DIR", help=help_text)
