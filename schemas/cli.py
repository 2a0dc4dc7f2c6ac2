"""Subcommands of ``schemas`` (argparse only: nothing heavy is imported here)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    """Add this area's subcommands to the ``aftershock`` parser."""
    schemas = sub.add_parser(
        "schemas",
        help="the event contracts: export them as JSON Schema",
        description="The event contracts (envelope + one typed payload per event_type).",
    )
    verbs = schemas.add_subparsers(dest="verb", metavar="VERB", required=True)
    export = verbs.add_parser(
        "export",
        help="write one JSON Schema file per event type (and one for any event) into DIR",
        description="Write <event_type>.schema.json for every event type and event.schema.json "
        "(any event, selected by event_type) into DIR, for producers in other languages. The "
        "copies in schemas/json/ are these files.",
    )
    export.add_argument("dir", type=Path, metavar="DIR", help="folder to write into (created if missing)")
    export.set_defaults(handler="schemas.cli:export")


def export(args: argparse.Namespace, settings: Any) -> int:
    from aftershock.errors import ConfigError, ExitCode
    from schemas.export import export as write

    try:
        for path in write(args.dir):
            print(path)
    except OSError as exc:
        raise ConfigError(f"cannot write JSON Schema into {args.dir}: {exc.strerror}") from exc
    return ExitCode.OK
