"""Handlers of ``aftershock rules backtest|tune``."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any

import duckdb

from aftershock.errors import AnalyticsError, ConfigError, ExitCode
from analytics.rules.model import load_rules


def parse_split(text: str, option: str = "--split") -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ConfigError(f"{option} {text!r}: not an ISO date or timestamp (e.g. 2026-03-01)") from exc
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _connect(args: argparse.Namespace, settings: Any) -> duckdb.DuckDBPyConnection:
    con = _labelled(args, settings)
    _derive(args, con)
    return con


def _derive(args: argparse.Namespace, con: duckdb.DuckDBPyConnection) -> None:
    if args.derive_features:
        from analytics.rules.history import derive_features

        _say("deriving change features from the lake's history")
        derive_features(con)


def _labelled(args: argparse.Namespace, settings: Any) -> duckdb.DuckDBPyConnection:
    from analytics.model import LinkParams
    from analytics.rules.labels import label_from_defects, label_from_outcomes, label_from_truth
    from analytics.store import connect
    from lake.location import resolve_location
    from lake.readers import open_views

    lake = resolve_location(args.lake, settings)
    source = "truth file" if args.truth else "defect links" if args.defects else "lake outcomes"
    print(f"rules: labelling changes ({source})", file=sys.stderr)
    if args.truth is not None:
        con = open_views(lake)
        label_from_truth(con, args.truth)
        return con
    if args.defects is not None:
        con = open_views(lake)
        unmatched = label_from_defects(con, args.defects)
        if unmatched:
            _say(f"{unmatched} defective change(s) named in {args.defects} or by landed links "
                 "are not in the lake")
        return con
    con = connect(lake, LinkParams(), args.min_confidence, refresh=args.refresh_model, progress=_say)
    label_from_outcomes(con, args.min_confidence)
    return con


def _say(message: str) -> None:
    print(f"rules: {message}", file=sys.stderr, flush=True)


def backtest(args: argparse.Namespace, settings: Any) -> int:
    from analytics.rules.backtest import backtest as run
    from analytics.rules.render import backtest_text

    rules = load_rules(args.rules)
    split = parse_split(args.split)
    report = run(_connect(args, settings), rules, split)
    _check(report, split)
    print(json.dumps(report, indent=2, default=str) if args.format == "json" else backtest_text(report))
    return ExitCode.OK


def tune(args: argparse.Namespace, settings: Any) -> int:
    from analytics.rules.render import tune_text
    from analytics.rules.toml_out import dumps
    from analytics.rules.tune import tune as run

    base = load_rules(args.rules)
    split = parse_split(args.split)
    result = run(_connect(args, settings), base, split)
    _check(result.report["after"], split)
    if not result.report["train"]["failed"]:
        raise AnalyticsError(f"no failed change before {split.date()}: nothing to learn from; "
                             "move --split later")
    header = (f"Tuned from {base.version} on changes before {split.date()}; evidence on each entry.\n"
              "Format: analytics/RULES.md")
    try:
        args.out.write_text(dumps(result.rules, header), encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write {args.out}: {exc.strerror}") from exc
    result.report["written"] = str(args.out)
    print(json.dumps(result.report, indent=2, default=str) if args.format == "json"
          else tune_text(result.report))
    return ExitCode.OK


def score(args: argparse.Namespace, settings: Any) -> int:
    from analytics.rules.score import score_changes, write_parquet, write_text
    from lake.location import resolve_location
    from lake.readers import open_views

    rules = load_rules(args.rules)
    since = parse_split(args.since, "--since") if args.since else None
    until = parse_split(args.until, "--until") if args.until else None
    if args.format == "parquet" and args.out is None:
        raise ConfigError("--format parquet (command line): needs --out FILE")
    con = open_views(resolve_location(args.lake, settings))
    _derive(args, con)
    score_changes(con, rules)
    period = {"since": since, "until": until}
    try:
        if args.format == "parquet":
            write_parquet(con, period, args.out)
        elif args.out is not None:
            with args.out.open("w", encoding="utf-8", newline="") as fh:
                write_text(con, period, args.format, fh)
        else:
            write_text(con, period, args.format, sys.stdout)
    except OSError as exc:
        raise ConfigError(f"cannot write {args.out}: {exc.strerror}") from exc
    return ExitCode.OK


def _check(report: dict[str, Any], split: datetime) -> None:
    if not report["changes"]:
        raise AnalyticsError(f"no labelled change on or after {split.isoformat()}: move --split "
                             "earlier or land more history")
