"""The one ``--lake`` option every command shares (argparse only: nothing heavy is imported)."""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = "lake folder, or s3://bucket/prefix where supported (default: AFTERSHOCK_LAKE__DIR, else ./lake)"


def lake_argument(value: str) -> Path | str:
    """A folder as a Path; an ``s3://`` URL kept as text (a Path would fold its ``//``)."""
    return value if value.startswith("s3://") else Path(value)


def add_lake_option(parser: argparse.ArgumentParser, help_text: str = HELP) -> None:
    """Add ``--lake DIR`` to ``parser`` (resolved by :func:`lake.location.resolve_lake`)."""
    parser.add_argument("--lake", type=lake_argument, default=None, metavar="DIR", help=help_text)
