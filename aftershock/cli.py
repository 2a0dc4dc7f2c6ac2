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
import os
import re
import sys
from collections.abc import Sequence
from typing import Any

COMMAND_MODULES = (
    "aftershock.commands.kafka",
    "aftershock.commands.demo",
    "schemas.cli",
    "adapters.cli",
    "ingest.cli",
    "simulator.cli",
    "analytics.cli",
    "analytics.rules.cli",
    "dashboards.cli",
)

EPILOG = """\
exit codes: 0 ok, 1 error, 2 bad configuration or arguments, 3 broker, 4 invalid event,
5 lake, 6 integrity finding, 7 analytics, 8 some items rejected, 130 interrupted.
Settings come from AFTERSHOCK_* environment variables (see README, "Configuration")."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aftershock",
        description="Audit events of AI-assisted changes and agent actions: Kafka -> Parquet lake "
        "-> incident analytics.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def _version() -> str:
    from aftershock import __version__

    return f"aftershock {__version__}"


def _handler(spec: str) -> Any:
    module, _, func = spec.partition(":")
    return getattr(importlib.import_module(module), func)


def _settings() -> Any:
    """The settings from the environment; an invalid one raises a ConfigError naming its variable."""
    from pydantic import ValidationError
    from pydantic_settings import SettingsError

    from aftershock.settings import load_settings

    try:
        return load_settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        unknown = first["type"] == "extra_forbidden"
        raise _invalid_setting(tuple(str(part) for part in first["loc"]),
                               ("no such setting" if unknown else first["msg"]) + more,
                               "unset it" if unknown else "set a valid value or unset it") from None
    except SettingsError as exc:  # a section given as JSON that does not parse
        field = re.search(r'field "([^"]+)"', str(exc))
        raise _invalid_setting((field.group(1),) if field else (),
                               f"not valid JSON ({exc.__cause__ or exc})",
                               "set a valid value or unset it") from None


def _invalid_setting(loc: tuple[str, ...], reason: str, todo: str) -> Exception:
    """``aftershock: invalid setting NAME (environment): reason: what to do``. NAME is the variable
    as it is set (names are case-insensitive; a section may be set as one JSON variable). The value
    is not repeated: some settings are secrets."""
    from aftershock.errors import ConfigError

    names = {name.upper(): name for name in os.environ}
    for length in range(len(loc), 0, -1):
        name = names.get(("AFTERSHOCK_" + "__".join(loc[:length])).upper())
        if name is not None:
            inner = ".".join(loc[length:])
            break
    else:
        name, inner = ("AFTERSHOCK_" + "__".join(loc)).upper(), ""
    return ConfigError(f"invalid setting {name} (environment): {inner + ': ' if inner else ''}{reason}: "
                       f'{todo} (the settings: README.md, "Configuration")')


def main(argv: Sequence[str] | None = None) -> int:
    from aftershock.errors import AftershockError, ExitCode

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return ExitCode.CONFIG
    try:
        return int(_handler(args.handler)(args, _settings()))
    except AftershockError as exc:
        print(f"aftershock: {exc}", file=sys.stderr)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        print("aftershock: interrupted", file=sys.stderr)
        return int(ExitCode.INTERRUPTED)
