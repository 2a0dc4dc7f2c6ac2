"""``aftershock simulate``: run the simulation and send its events to one sink."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from aftershock.errors import ConfigError, ExitCode
from simulator.context import Ctx
from simulator.effects import load_effects
from simulator.sinks import paused_gc, stderr_progress, to_file, to_kafka, to_lake
from simulator.world import new_context, simulate


def run(args: argparse.Namespace, settings: Any) -> int:
    if args.days < 1:
        raise ConfigError(f"--days must be at least 1, got {args.days}")
    if args.scale <= 0:
        raise ConfigError(f"--scale must be positive, got {args.scale}")
    effects = load_effects(args.effects)
    if args.scale != 1.0:
        effects = effects.model_copy(update={
            "changes_per_day": effects.changes_per_day * args.scale,
            "agent_actions_per_day": effects.agent_actions_per_day * args.scale})
    ctx = new_context(effects, args.seed, args.days)
    with paused_gc():
        count, where = _send(args, settings, simulate(ctx))
    if args.truth is not None:
        write_truth(args.truth, ctx)
    print(f"simulate: {count:,} events to {where}; {len(ctx.truth.incidents)} incidents, "
          f"{len(ctx.truth.changes_bad)} bad changes", file=sys.stderr)
    return ExitCode.OK


def _send(args: argparse.Namespace, settings: Any, events: Iterator[dict[str, Any]]) -> tuple[int, str]:
    progress = stderr_progress("")
    if args.out is not None:
        return to_file(args.out, events, progress), str(args.out)
    if args.lake is not None:
        return to_lake(args.lake, events, progress), f"lake {args.lake}"
    return to_kafka(settings, events, progress), "kafka"


def truth_document(ctx: Ctx) -> dict[str, Any]:
    """The truth file: planted effects, the bad changes and every incident's real cause."""
    return {
        "seed": ctx.seed, "days": ctx.days, "start": ctx.effects.start,
        "planted": ctx.effects.planted(),
        "changes_bad": ctx.truth.changes_bad,
        "incidents": ctx.truth.incidents,
        "changes_missing": ctx.truth.changes_missing,
        "gate_flagged": ctx.truth.gate_flagged,
        "gate_overridden": ctx.truth.gate_overridden,
        "event_counts": dict(sorted(ctx.truth.counts.items())),
    }


def write_truth(path: Path, ctx: Ctx) -> None:
    try:
        path.write_text(json.dumps(truth_document(ctx), indent=1) + "\n", encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write the truth file {path}: {exc.strerror}") from exc
