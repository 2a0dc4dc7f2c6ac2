"""Subcommands of ``adapters`` (argparse only: nothing heavy is imported here)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

SOURCES = (
    "github",
    "gitlab",
    "pagerduty",
    "opsgenie",
    "aws-cloudtrail",
    "k8s-audit",
    "claude-code",
    "otel-genai",
    "flux",
    "cdevents",
    "defects",
)


def register(sub: Any) -> None:
    """Add this area's subcommands to the ``aftershock`` parser."""
    imp = sub.add_parser(
        "import",
        help="map captured webhook payloads / audit records into events, to Kafka or the lake",
        description="Read captured payloads and map them to audit events: a plain JSON file (one raw "
        "payload), NDJSON of raw payloads (both need --source, and --event where the source needs it), "
        'or NDJSON of captured deliveries {"source", "headers", "body"[, "received_at"]} (GitHub\'s '
        "event comes from the X-GitHub-Event header), or with --source defects a defect-links file "
        "(CSV or JSON of change,fixed_by[,origin,evidence,fixed_at]: one defect_link event per link). "
        "Events go to the audit topics through the emitter SDK (validated, redacted, spooled while "
        "the broker is down), or with --lake straight into the lake. Bad items are reported with "
        "file:line, source, event, JSON path and reason, "
        "counted and skipped; the exit status is 8 when anything was rejected.",
        epilog=f"sources: {', '.join(SOURCES)}",
    )
    imp.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="JSON or NDJSON files")
    imp.add_argument("--source", "-s", help="source of raw payloads (captured deliveries name their own)")
    imp.add_argument(
        "--event",
        "-e",
        help="event name where the source needs it (GitHub: push, "
        "pull_request, deployment, deployment_status, workflow_run, check_run)",
    )
    imp.add_argument("--lake", type=Path, metavar="DIR", help="land into this lake (created if missing) "
                     "instead of Kafka")
    imp.add_argument("--catalog", type=Path, metavar="FILE", help="service catalog (TOML or JSON)")
    imp.add_argument(
        "--spool",
        type=Path,
        metavar="DIR",
        help="emitter spool folder (default: <broker state folder>/../import-spool)",
    )
    imp.set_defaults(handler="adapters.cli:run_import")


def run_import(args: argparse.Namespace, settings: Any) -> int:
    from adapters.identity import Catalog, load_catalog
    from adapters.importer import Tally, events_of
    from aftershock.errors import ConfigError, ExitCode

    for path in args.paths:
        if not path.is_file():
            raise ConfigError(f"no such file: {path}")
    catalog = load_catalog(args.catalog) if args.catalog else Catalog()
    tally = Tally()
    events = events_of(list(args.paths), args.source, args.event, catalog, tally)
    where = _to_lake(args.lake, settings, events) if args.lake else _to_kafka(args, settings, events)
    print(
        f"import: {tally.items} items -> {tally.events} events {where}; {tally.rejected} rejected "
        f"({tally.not_events} of them carry no audit event)",
        file=sys.stderr,
    )
    return ExitCode.REJECTED if tally.rejected else ExitCode.OK


def _to_lake(arg: Path | str, settings: Any, events: Any) -> str:
    from ingest.backfill import land_events
    from lake.location import resolve_location

    lake = resolve_location(arg, settings, create=True)
    result = land_events(lake, events)
    return f"landed in {lake} ({result.events} written, {result.duplicates} duplicates)"


def _to_kafka(args: argparse.Namespace, settings: Any, events: Any) -> str:
    from aftershock.errors import BrokerError
    from aftershock.sdk.emitter import Emitter

    spool = args.spool or settings.broker.state_dir.parent / "import-spool"
    emitter = Emitter.from_settings(settings, spool, client_id="aftershock-import")
    try:
        for event in events:
            emitter.emit(event)
    finally:
        emitter.close()
    if emitter.spooled:
        raise BrokerError(
            f"{emitter.spooled} events were not acknowledged by {emitter.bootstrap_servers}; "
            f"they wait in {spool} and are sent first by the next import or emitter on it"
        )
    return f"sent to {settings.kafka.topic_prefix}* on {emitter.bootstrap_servers}"
