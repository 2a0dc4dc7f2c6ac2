"""The ``aftershock`` command line.

Each area registers its subcommands from a light module (argparse only) listed in
``COMMAND_MODULES``; the handler named by ``handler="module:function"`` is imported only when its
command runs, so ``aftershock --help`` stays instant. Handlers take ``(args, settings)`` and return
an exit code; errors derived from ``AftershockError`` print as one line on stderr.

Exit codes: see ``aftershock.errors.ExitCode``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Any

COMMAND_MODULES = (
    "aftershock.commands.kafka",
    "aftershock.commands.demo",
    "schemas.cli",
    "adapters.cli",
    "ingest.cli",
    "lake.cli",
    "simulator.cli",
    "analytics.cli",
    "analytics.rules.cli",
    "gate.cli",
    "dashboards.cli",
    "receiver.cli",
    "guard.cli",
)

# commands run on every CI job, where start-up time counts: only their own parser is built
LEAN_COMMANDS = {"classify": "gate.cli"}

EPILOG = """\
exit codes: 0 ok, 1 error, 2 bad configuration or arguments, 3 broker, 4 invalid event,
5 lake, 6 integrity finding, 7 analytics, 8 some items rejected, 130 interrupted.
Settings come from AFTERSHOCK_* environment variables (see README, "Configuration")."""


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole parser, or for a command of ``LEAN_COMMANDS`` one that knows only that command."""
    parser = argparse.ArgumentParser(
        prog="aftershock",
        description="Audit events of AI-assisted changes and agent actions: Kafka -> Parquet lake "
        "-> incident analytics.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    lean = LEAN_COMMANDS.get(command or "")
    for name in [lean] if lean else COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def _version() -> str:
    from aftershock import __version__

    return f"aftershock {__version__}"


def _handler(spec: str) -> Any:
    module, _, func = spec.partition(":")
    return getattr(importlib.import_module(module), func)


def main(argv: Sequence[str] | None = None) -> int:
    from aftershock.errors import AftershockError, ExitCode

    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv[0] if argv else None)
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return ExitCode.CONFIG
    try:
        if getattr(args, "settings", True) is False:  # a command that reads no settings starts faster
            return int(_handler(args.handler)(args, None))
        from aftershock.settings import load_settings

        return int(_handler(args.handler)(args, load_settings()))
    except AftershockError as exc:
        print(f"aftershock: {exc}", file=sys.stderr)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        print("aftershock: interrupted", file=sys.stderr)
        return int(ExitCode.INTERRUPTED)
