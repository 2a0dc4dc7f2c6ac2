"""Subcommands of ``analytics.rules`` (argparse only: nothing heavy is imported here)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from lake.options import add_lake_option

_BACKTEST = """\
Score the changes on and after --split with a rules file and learn nothing. Reports AUC,
PR-AUC, precision and recall when the top 5/10/20 % of changes are flagged, effort-aware recall
(top-ranked changes until 20 % of the lines changed are reviewed), per-rule support, precision,
recall and lift, and per-tier counts, next to the baselines lines-added-only and random.
Labels: the lake's change outcomes (analytics/METRICS.md), or a simulator truth file."""

_TUNE = """\
Learn on the changes before --split: new path categories from directory globs that fail more
often, weights by a ridge logistic regression, lines-changed thresholds and tier thresholds.
Writes a readable rules file with the evidence for every change, and reports the rules before
and after tuning on the changes on and after --split, next to the baselines."""


def register(sub: Any) -> None:
    """Add this area's subcommands to the ``aftershock`` parser."""
    rules = sub.add_parser("rules", help="backtest and tune the change risk rules on history",
                           description="Risk rules: see analytics/RULES.md for the file format.")
    verbs = rules.add_subparsers(dest="verb", metavar="VERB", required=True)
    backtest = verbs.add_parser("backtest", help="score a rules file on the period after a split",
                                description=_BACKTEST, formatter_class=argparse.RawDescriptionHelpFormatter)
    backtest.add_argument("--rules", type=Path, required=True, metavar="FILE", help="rules file (TOML)")
    _common(backtest)
    backtest.set_defaults(handler="analytics.rules.commands:backtest")
    tune = verbs.add_parser("tune", help="learn weights, thresholds and path categories before a split",
                            description=_TUNE, formatter_class=argparse.RawDescriptionHelpFormatter)
    tune.add_argument("--rules", type=Path, metavar="FILE",
                      help="rules file to start from (default: analytics/rules/default.toml)")
    tune.add_argument("--out", type=Path, required=True, metavar="FILE",
                      help="where to write the tuned rules")
    _common(tune)
    tune.set_defaults(handler="analytics.rules.commands:tune")


def _common(parser: argparse.ArgumentParser) -> None:
    add_lake_option(parser)
    parser.add_argument("--split", required=True, metavar="DATE",
                        help="ISO date or timestamp (UTC if no offset): learn before, score on and after")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    parser.add_argument("--truth", type=Path, metavar="FILE",
                        help="label with a simulator truth file's bad changes instead of the lake's outcomes")
    parser.add_argument("--min-confidence", type=float, default=0.5, metavar="X",
                        help="confidence a linked incident cause needs to count as a failure (default 0.5)")
    parser.add_argument("--refresh-model", action="store_true",
                        help="rebuild the model even if one is stored for the lake's current snapshot "
                        "(<lake>/_model; a stored model is used only while the lake is unchanged)")
