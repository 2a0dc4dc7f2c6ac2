"""Subcommands of ``simulator`` (argparse only: nothing heavy is imported here)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from lake.options import lake_argument

_DESCRIPTION = """\
Simulate an organisation (services with a dependency graph, teams, humans and agents) shipping
changes, deploying them with canary/staged/all-at-once rollouts, running agent sessions and
suffering incidents, with planted effects (P(bad change) by path category, AI level and size;
detection by rollout strategy) and realistic gaps (missing and late events). Every event is a
valid audit event. The same seed gives the same bytes. The truth file names the real cause of
every incident, the bad changes and the planted effect sizes (see simulator/README.md)."""


def register(sub: Any) -> None:
    """Add this area's subcommands to the ``aftershock`` parser."""
    sim = sub.add_parser(
        "simulate", help="generate a realistic audit-event history with known ground truth",
        description=_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sim.add_argument("--days", type=int, required=True, help="days to simulate")
    sim.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    sink = sim.add_mutually_exclusive_group(required=True)
    sink.add_argument("--out", type=Path, metavar="FILE", help="write NDJSON to FILE")
    sink.add_argument("--lake", type=lake_argument, metavar="DIR",
                      help="land the events in the lake at DIR (or s3://bucket/prefix)")
    sink.add_argument("--kafka", action="store_true",
                      help="produce to the audit topics (AFTERSHOCK_KAFKA__BOOTSTRAP_SERVERS)")
    sim.add_argument("--truth", type=Path, metavar="FILE", help="write the ground truth as JSON")
    sim.add_argument("--effects", type=Path, metavar="FILE",
                     help="JSON or TOML file overriding planted effects and volumes")
    sim.add_argument("--scale", type=float, default=1.0,
                     help="multiply change and agent-action volumes (default 1.0)")
    sim.set_defaults(handler="simulator.run:run")
