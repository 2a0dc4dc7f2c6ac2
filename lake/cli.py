"""Subcommands ``compact``, ``verify``, ``lake keygen``, ``lake adopt`` and ``lake iceberg``
(argparse only: handlers live in ``lake.commands``, and ``verify``'s in ``ingest.commands``
because it also reads Kafka)."""

from __future__ import annotations

from pathlib import Path
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
    verify.set_defaults(handler="ingest.commands:verify")  # it reads Kafka: not in lake/
    lake = sub.add_parser("lake", help="the lake's signing keys, anchored heads and Iceberg tables",
                          description="Keys that sign the manifest heads anchored outside the lake, "
                          "adopting a lake made before its heads were anchored, and the lake as "
                          "Apache Iceberg tables for other engines.")
    verbs = lake.add_subparsers(dest="verb", metavar="VERB", required=True)
    keygen = verbs.add_parser(
        "keygen", help="write an Ed25519 key pair that signs the manifest heads",
        description="Write lake-signing.key (private, mode 0600) and lake-signing.pub into FOLDER, "
        "which must be outside the lake, and print the settings that use them.")
    keygen.add_argument("folder", type=Path, metavar="FOLDER")
    add_lake_option(keygen, "the lake the key must stay out of (default: AFTERSHOCK_LAKE__DIR)")
    keygen.set_defaults(handler=H + "keygen")
    adopt = verbs.add_parser(
        "adopt", help="anchor the current head of a lake made before anchoring",
        description="For a lake whose entries `verify` reports as not anchored because it was "
        "made before heads were anchored (or its witness was lost): check its hash chain and "
        "every file it names, then write its current head, signed when a signing key is set, "
        "to the witness in AFTERSHOCK_LAKE__ANCHOR_DIR. It trusts the lake as it is now; later "
        "entries are checked against that head. Refused when the lake's heads are already "
        "anchored (exit 5) or the lake fails its own checks (exit 6).")
    add_lake_option(adopt)
    adopt.set_defaults(handler=H + "adopt")
    register_iceberg(verbs)


def register_iceberg(verbs: Any) -> None:
    """``lake iceberg sync`` and ``lake iceberg show``."""
    iceberg = verbs.add_parser(
        "iceberg", help="the lake as Apache Iceberg tables (Spark, Trino, Athena, DuckDB)",
        description="One Iceberg table per event type (and dead_letter) over the lake's Parquet "
        "files, registered in place in a catalog: see docs/object-storage.md#iceberg.")
    actions = iceberg.add_subparsers(dest="action", metavar="ACTION", required=True)
    sync = actions.add_parser(
        "sync", help="register the live files in the Iceberg tables, drop the replaced ones",
        description="For each table: add the files the manifest lists that the table lacks and "
        "remove those compaction replaced, in one commit whose snapshot carries the manifest's "
        "sequence and head. Nothing is copied; a sync with no new entries commits nothing.")
    show = actions.add_parser(
        "show", help="each Iceberg table's snapshot (manifest seq, head, rows) beside the lake",
        description="Print each table's snapshot (the manifest sequence and head it was synced "
        "at), its files and rows, and the lake's live files and rows, raw and as queries see "
        "them (one row per (source, event_id)).")
    for parser, handler in ((sync, "iceberg_sync"), (show, "iceberg_show")):
        add_lake_option(parser)
        parser.add_argument("--catalog", default=None, metavar="URI", help="SQLAlchemy URL (SQL "
                            "catalog), http(s):// URL (REST catalog) or `glue` (default: "
                            "AFTERSHOCK_LAKE__ICEBERG_CATALOG, else SQLite in <lake>/_iceberg/)")
        parser.add_argument("--namespace", default=None, metavar="NS", help="namespace of the "
                            "tables (default: AFTERSHOCK_LAKE__ICEBERG_NAMESPACE, else aftershock)")
        parser.set_defaults(handler=H + handler)
