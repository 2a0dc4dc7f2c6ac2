"""Subcommands ``ingest run|backfill``, ``compact`` and ``verify`` (argparse only: nothing heavy
is imported here; handlers live in ``ingest.commands``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

H = "ingest.commands:"


def _lake(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lake", type=Path, default=None, metavar="DIR",
                        help="lake folder (default: AFTERSHOCK_LAKE__DIR, else ./lake)")


def register(sub: Any) -> None:
    """Add this area's subcommands to the ``aftershock`` parser."""
    ingest = sub.add_parser(
        "ingest", help="land audit events in the Parquet lake (Kafka worker or files)",
        description="Land audit events exactly once in the Parquet lake: from the audit topics "
        "(a consumer-group worker) or from NDJSON files.")
    verbs = ingest.add_subparsers(dest="verb", metavar="VERB", required=True)
    run = verbs.add_parser(
        "run", help="consume the audit topics into the lake until stopped",
        description="Consume the audit topics in consumer group AFTERSHOCK_INGEST__GROUP_ID: "
        "validate, redact, dead-letter bad records, dedupe, land Parquet batches and commit them "
        "in the manifest, then commit Kafka offsets. SIGTERM/SIGINT flush and exit 0.")
    _lake(run)
    run.add_argument("--until-idle", type=float, default=None, metavar="SECONDS",
                     help="exit (after flushing) once no record arrived for this long")
    run.set_defaults(handler=H + "run")
    backfill = verbs.add_parser(
        "backfill", help="land native events from NDJSON files (no broker)",
        description="Land NDJSON files of native events (one JSON event per line) through the "
        "worker's landing code. Bad lines become dead letters naming file:line; exit 8 if any.")
    backfill.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    _lake(backfill)
    backfill.set_defaults(handler=H + "backfill")
    compact = sub.add_parser(
        "compact", help="rewrite small lake files into large ones (safe while ingest runs)",
        description="Merge the small files of each (event type, date) into large files with "
        "row groups sized for DuckDB, dropping duplicate (source, event_id) rows, committed as "
        "`replace` manifest entries. Safe while a worker runs.")
    _lake(compact)
    compact.set_defaults(handler=H + "compact")
    verify = sub.add_parser(
        "verify", help="check the manifest hash chain and every file hash (exit 6 on findings)",
        description="Recompute the manifest's hash chain and the SHA-256 of every file it names; "
        "report edited, deleted, added or reordered files and entries. Exit 6 on any finding.")
    _lake(verify)
    verify.set_defaults(handler=H + "verify")
