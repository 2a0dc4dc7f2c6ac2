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


_SCORE = """\
Score every change of the lake (or of [--since, --until), by merge time) with a rules file:
change id, event id, service, time, score, tier, fired rules, categories and size. The same
evaluation as backtest and tune (analytics/RULES.md); no labels are needed."""


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
    score = verbs.add_parser("score", help="the score, tier and fired rules of every change",
                             description=_SCORE, formatter_class=argparse.RawDescriptionHelpFormatter)
    score.add_argument("--rules", type=Path, required=True, metavar="FILE", help="rules file (TOML)")
    add_lake_option(score)
    score.add_argument("--since", metavar="DATE", help="ISO date or timestamp (inclusive, UTC if no offset)")
    score.add_argument("--until", metavar="DATE", help="ISO date or timestamp (exclusive)")
    score.add_argument("--format", choices=("csv", "json", "parquet"), default="csv",
                       help="csv (lists joined by ';'), json (one object a line) or parquet (needs --out)")
    score.add_argument("--out", type=Path, metavar="FILE", help="write here instead of stdout")
    _derive_option(score)
    score.set_defaults(handler="analytics.rules.commands:score")


def _derive_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--derive-features", action="store_true",
                        help="derive the change features from the lake's own history where an event "
                        "lacks them (analytics/RULES.md, 'Derived from history')")


def _common(parser: argparse.ArgumentParser) -> None:
    add_lake_option(parser)
    _derive_option(parser)
    parser.add_argument("--split", required=True, metavar="DATE",
                        help="ISO date or timestamp (UTC if no offset): learn before, score on and after")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    labels = parser.add_mutually_exclusive_group()
    labels.add_argument("--truth", type=Path, metavar="FILE",
                        help="label with a simulator truth file's bad changes instead of the lake's outcomes")
    labels.add_argument("--defects", type=Path, metavar="FILE",
                        help="label from defect links (JSON or CSV: change, fixed_by; analytics/RULES.md)")
    parser.add_argument("--min-confidence", type=float, default=0.5, metavar="X",
                        help="confidence a linked incident cause needs to count as a failure (default 0.5)")
    parser.add_argument("--refresh-model", action="store_true",
                        help="rebuild the model even if one is stored for the lake's current snapshot "
                        "(<lake>/_model; a stored model is used only while the lake is unchanged)")
