"""Subcommands ``compact`` and ``verify`` (argparse only: handlers live in ``lake.commands``)."""

from __future__ import annotations

from typing import Any

from lake.options import add_lake_option

H = "lake.commands:"


def register(sub: Any) -> None:
    """Add this area's subcommands to the ``aftershock`` parser."""
    compact = sub.add_parser(
        "compact", help="rewrite small lake files into large ones (safe while ingest runs)",
        description="Merge the small files of each (event type, date) into large files with "
        "row groups sized for DuckDB, dropping duplicate (source, event_id) rows, committed as "
        "`replace` manifest entries. Safe while a worker runs.")
    add_lake_option(compact)
    compact.set_defaults(handler=H + "compact")
    verify = sub.add_parser(
        "verify", help="check the manifest hash chain and every file hash (exit 6 on findings)",
        description="Recompute the manifest's hash chain and the SHA-256 of every file it names; "
        "report edited, deleted, added or reordered files and entries. Exit 6 on any finding.")
    add_lake_option(verify)
    verify.set_defaults(handler=H + "verify")
