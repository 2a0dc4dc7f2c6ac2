"""Subcommands of ``analytics.rules`` (argparse only: nothing heavy is imported here)."""

from __future__ import annotations

from typing import Any


def register(sub: Any) -> None:
    """Add this area's subcommands to the ``aftershock`` parser."""
