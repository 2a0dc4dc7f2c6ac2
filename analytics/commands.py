"""Handlers of ``aftershock report``, ``postmortem`` and ``query``: ``(args, settings) -> exit code``."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import duckdb

from aftershock.errors import ExitCode
from analytics import report as render
from analytics.adhoc import run
from analytics.metrics import ReportParams, build_report
from analytics.model import LinkParams
from analytics.postmortem import postmortem as build_postmortem


def _lake(args: argparse.Namespace, settings: Any) -> Path | str:
    from lake.location import resolve_location

    return resolve_location(args.lake, settings)


def _model(args: argparse.Namespace, settings: Any, params: ReportParams,
           views: bool) -> duckdb.DuckDBPyConnection:
    from analytics.store import connect

    return connect(_lake(args, settings), params.link, params.min_confidence, views=views,
                   refresh=args.refresh_model, progress=_say)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def report(args: argparse.Namespace, settings: Any) -> int:
    params = ReportParams(since=args.since, until=args.until, min_confidence=args.min_confidence,
                          timestamps=settings.ingest)
    data = build_report(_model(args, settings, params, views=False), params)
    print(render.to_json(data) if args.format == "json" else render.report_text(data))
    return ExitCode.OK


def postmortem(args: argparse.Namespace, settings: Any) -> int:
    link = LinkParams() if args.window is None else replace(LinkParams(), window_minutes=args.window)
    params = ReportParams(link=link, timestamps=settings.ingest)
    data = build_postmortem(_model(args, settings, params, views=True), args.incident, args.window, params)
    print(render.to_json(data) if args.format == "json" else render.postmortem_text(data))
    return ExitCode.OK


def query(args: argparse.Namespace, settings: Any) -> int:
    given = {"timeout_s": args.timeout, "memory_limit": args.memory_limit}
    limits = settings.query.model_copy(update={k: v for k, v in given.items() if v is not None})
    columns, rows = run(_lake(args, settings), args.sql, limits)
    out = render.table_csv(columns, rows) if args.format == "csv" else render.table_text(columns, rows)
    print(out, end="" if args.format == "csv" else "\n")
    return ExitCode.OK
