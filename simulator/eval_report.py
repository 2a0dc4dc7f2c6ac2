"""The postmortem evaluation table (``bench/postmortem_eval.py``): every variant over the given
seeds, aftershock's ranking beside the naive rule, and the reliability of the top suspects'
confidence per method."""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path

from simulator.evaluation import Tally, reliability_table, run_one
from simulator.stress import VARIANTS, variant


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f} %"


def evaluate(folder: Path, names: list[str] | None, seeds: list[int]) -> dict[str, Tally]:
    results: dict[str, Tally] = {}
    for v in [variant(n) for n in names] if names else list(VARIANTS):
        tally = Tally()
        for seed in seeds:
            with contextlib.redirect_stderr(io.StringIO()):
                tally.add(run_one(v, seed, folder / f"{v.name}-{seed}"))
        results[v.name] = tally
        print(f"  {v.name}: done", file=sys.stderr, flush=True)
    return results


def table(results: dict[str, Tally]) -> str:
    lines = ["| variant | incidents (deploy / agent / none) | top-1 deployment | naive "
             "| top-1 change | naive | top-1 agent action | unrecorded linked |",
             "|---|---|---|---|---|---|---|---|"]
    total = Tally()
    for name, t in [*results.items(), ("all", total)]:
        if name != "all":
            total.add(t)
        s = t.shares()
        lines.append(f"| {name} | {t.deployment_incidents} / {t.agent_incidents} / {t.unrecorded} "
                     f"| {_pct(s['deployment'])} | {_pct(s['naive_deployment'])} | {_pct(s['change'])} "
                     f"| {_pct(s['naive_change'])} | {_pct(s['agent'])} | {_pct(s['unrecorded_linked'])} |")
    lines += ["", "| first method of the top suspect | confidence | suspects | mean confidence | right |",
              "|---|---|---|---|---|"]
    for row in reliability_table(total.reliability):
        lines.append(f"| {row['method']} | {row['bin']} | {row['n']} | {row['mean_confidence']:.2f} "
                     f"| {_pct(row['right'])} |")
    lines += ["", "| deployment right, it shipped | change_confidence | suspects | mean | right change |",
              "|---|---|---|---|---|"]
    for row in reliability_table(total.change_reliability):
        lines.append(f"| {row['method']} | {row['bin']} | {row['n']} | {row['mean_confidence']:.2f} "
                     f"| {_pct(row['right'])} |")
    return "\n".join(lines)


def evaluate_and_print(folder: Path, names: list[str] | None, seeds: list[int],
                       fit_seeds: list[int] | None) -> int:
    if fit_seeds is not None:
        from simulator.calibrate import fit_and_write

        fit_and_write(folder / "fit", names, fit_seeds)
    print(table(evaluate(folder, names, seeds)))
    return 0
