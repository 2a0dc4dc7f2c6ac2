"""Handlers of ``compact`` and ``verify``."""

from __future__ import annotations

import argparse
import sys

from aftershock.errors import ExitCode
from aftershock.settings import Settings
from lake.location import resolve_lake


def compact(args: argparse.Namespace, settings: Settings) -> int:
    from lake.compact import compact_lake

    result = compact_lake(resolve_lake(args.lake, settings), settings.ingest,
                          lambda msg: print(msg, file=sys.stderr, flush=True))
    print(f"compact: {result.files_before} files -> {result.files_after} in {result.groups} "
          f"groups, {result.duplicates} duplicate rows dropped", file=sys.stderr)
    return ExitCode.OK


def verify(args: argparse.Namespace, settings: Settings) -> int:
    from lake.verify import verify_lake

    report = verify_lake(resolve_lake(args.lake, settings))
    for finding in report.findings:
        print(finding, file=sys.stderr)
    print(f"verify: {report.entries} entries, {report.files} files checked, "
          f"{len(report.findings)} findings", file=sys.stderr)
    return ExitCode.INTEGRITY if report.findings else ExitCode.OK
