"""``aftershock simulate``: run the simulation and send its events to one sink."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from aftershock.errors import ConfigError, ExitCode
from simulator.context import Ctx
from simulator.effects import load_effects
from simulator.sinks import stderr_progress, to_file, to_kafka, to_lake
from simulator.world import new_context, simulate


def run(args: argparse.Namespace, settings: Any) -> int:
    if args.days < 1:
        raise ConfigError(f"--days must be at least 1, got {args.days}")
    effects = load_effects(args.effects)
    if args.scale != 1.0:
        effects = effects.model_copy(update={
            "changes_per_day": effects.changes_per_day * args.scale,
            "agent_actions_per_day": effects.agent_actions_per_day * args.scale})
    ctx = new_context(effects, args.seed, args.days)
    events = simulate(ctx)
    progress = stderr_progress("")
    if args.out is not None:
        count = to_file(args.out, events, progress)
        where = str(args.out)
    elif args.lake is not None:
        count = to_lake(args.lake, events, progress)
        where = f"lake {args.lake}"
    else:
        count = to_kafka(settings, events, progress)
        where = "kafka"
    if args.truth is not None:
        write_truth(args.truth, ctx)
    print(f"simulate: {count:,} events to {where}; {len(ctx.truth.incidents)} incidents, "
          f"{len(ctx.truth.changes_bad)} bad changes", file=sys.stderr)
    return ExitCode.OK


def truth_document(ctx: Ctx) -> dict[str, Any]:
    """The truth file: planted effects, the bad changes and every incident's real cause."""
    return {
        "seed": ctx.seed, "days": ctx.days, "start": ctx.effects.start,
        "planted": ctx.effects.planted(),
        "changes_bad": ctx.truth.changes_bad,
        "incidents": ctx.truth.incidents,
        "changes_missing": ctx.truth.changes_missing,
        "event_counts": dict(sorted(ctx.truth.counts.items())),
    }


def write_truth(path: Path, ctx: Ctx) -> None:
    try:
        path.write_text(json.dumps(truth_document(ctx), indent=1) + "\n", encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write the truth file {path}: {exc.strerror}") from exc
