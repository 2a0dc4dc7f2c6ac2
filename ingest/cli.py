"""Subcommands ``ingest run|backfill`` (argparse only: nothing heavy is imported here; handlers
live in ``ingest.commands``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lake.options import add_lake_option

H = "ingest.commands:"



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
    add_lake_option(run)
    run.add_argument("--until-idle", type=float, default=None, metavar="SECONDS",
                     help="exit (after flushing) once no record arrived for this long")
    run.add_argument("--iceberg-sync", action="store_true",
                     help="after every commit, sync the lake's Iceberg tables (aftershock lake "
                     "iceberg sync, catalog from AFTERSHOCK_LAKE__ICEBERG_CATALOG or the default)")
    run.set_defaults(handler=H + "run")
    backfill = verbs.add_parser(
        "backfill", help="land native events from NDJSON files (no broker)",
        description="Land NDJSON files of native events (one JSON event per line) through the "
        "worker's landing code. Bad lines become dead letters naming file:line; exit 8 if any.")
    backfill.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    add_lake_option(backfill)
    backfill.set_defaults(handler=H + "backfill")
