"""Fit the linking weights (analytics/link_weights.toml) on simulated histories.

The fit histories are stress histories of every variant (:mod:`simulator.stress`) imported as
real-tool payloads, plus default simulator histories (``aftershock simulate``), which are the only
ones with dependency depths, regions and destructive agent actions. For every incident, each
candidate the linking finds is a row with its features and whether it was the true cause:

- deployments: ln(1 + hours before impact), started after impact,
  latest deployment of the service before impact, latest successful one, failed, dependency
  depth, no shared region, a shipped change touching the component the incident's title names,
  a shipped change touching risky paths, ln(1 + lines) of its largest change, ln(share of its
  regions the incident names);
- agent actions: tier, ln(1 + hours before impact), after impact, depth;
- changes of the true deployment, when it shipped several: conditional logit (softmax within the
  deployment) on head, ln(merge position), risky paths, ln(1 + lines), paths naming the
  incident's component.

The candidates of an incident compete: deployments and agent actions are fitted together as a
conditional logit over the incident's candidates and "none of them" (the cause was not among
them, or there was none), so a suspect's confidence is the probability that it, rather than
another candidate or nothing found, caused the incident; the reliability tables in METRICS.md
check it on seeds the fit never saw."""

from __future__ import annotations

import contextlib
import io
import json
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from analytics import queries
from analytics.model import LinkParams
from simulator.evaluation import land, model
from simulator.stress import VARIANTS, generate, variant

WEIGHTS_FILE = Path(__file__).resolve().parents[1] / "analytics" / "link_weights.toml"
DEPLOY = ("deploy_bias", "deploy_log_hours", "deploy_after", "deploy_latest", "deploy_latest_successful",
          "deploy_failed", "deploy_depth", "deploy_other_region", "deploy_component", "deploy_risky",
          "deploy_log_lines", "deploy_region_coverage", "deploy_latest_component", "deploy_log_lags",
          "deploy_lag_gap", "deploy_component_lag", "deploy_log_hours_lag",
          "deploy_latest_lag", "deploy_latest_successful_lag", "deploy_log_candidates")
AGENT = ("agent_bias", "agent_mutate_config", "agent_destructive", "agent_log_hours", "agent_after",
         "agent_depth")
CHANGE = ("change_head", "change_position", "change_risky", "change_log_lines", "change_component")
METHODS = ("time_window", "dependency", "rollback", "agent_action")
CALIB = tuple(f"calib_{m}_{part}" for m in METHODS for part in ("scale", "shift"))
IDENTITY = {name: 1.0 if name.endswith("_scale") else 0.0 for name in CALIB}


@dataclass
class Rows:
    """Candidate groups (one per incident: its deployment and agent-action candidates and "none",
    last) and change groups (the changes of a true deployment), gathered over the fit histories."""

    cause_groups: list[tuple[list[list[float]], int]] = field(default_factory=list)
    change_groups: list[tuple[list[list[float]], int]] = field(default_factory=list)
    histories: list[str] = field(default_factory=list)
    candidates: int = 0
    found: int = 0  # incidents whose true cause is among the candidates
    lakes: list[tuple[Path, dict[str, Cause], list[str]]] = field(default_factory=list)  # for recalibrating
    # (method, logit of the top suspect's share, right) per incident: the Platt fit's rows
    tops: list[tuple[str, float, bool]] = field(default_factory=list)


def _hours(minutes: float) -> float:
    return math.log1p(max(minutes, 0.0) / 60.0)


def deploy_x(r: dict[str, Any]) -> list[float]:
    return [1.0, _hours(r["minutes_before"]), float(r["minutes_before"] < 0), float(r["latest"]),
            float(r["latest_successful"]), float(r["failed"]), float(r["depth"]), float(r["other_region"]),
            float(r["component"]), float(r["risky"]), float(r["log_lines"]), float(r["region_coverage"]),
            float(r["latest_component"]), float(r["log_lags"]), float(r["lag_gap"]),
            r["lag_level"] * float(r["component"]), r["lag_level"] * _hours(r["minutes_before"]),
            r["lag_level"] * float(r["latest"]), r["lag_level"] * float(r["latest_successful"]),
            float(r["log_candidates"])]


def agent_x(r: dict[str, Any]) -> list[float]:
    return [1.0, float(r["tier"] == "mutate_config"), float(r["tier"] == "destructive"),
            _hours(r["minutes_before"]), float(r["minutes_before"] < 0), float(r["depth"])]


def change_x(r: dict[str, Any]) -> list[float]:
    return [float(r["is_head"]), math.log(r["position"]), float(r["risky"]), math.log1p(r["lines_changed"]),
            float(r["component"])]


@dataclass(frozen=True)
class Cause:
    """What counts as the true cause of one incident, whatever wrote the history."""

    deployments: frozenset[str] = frozenset()
    changes: frozenset[str] = frozenset()
    agent_refs: frozenset[str] = frozenset()


def gather(con: duckdb.DuckDBPyConnection, causes: dict[str, Cause], rows: Rows) -> None:
    """Add the candidate and change groups of one history's model (``con``) to ``rows``."""
    blank_d, blank_a = [0.0] * len(DEPLOY), [0.0] * len(AGENT)
    candidates: dict[str, list[tuple[list[float], bool]]] = {}
    for r in queries.rows(con, "eval_deployment_features"):
        cause = causes.get(r["incident_id"], Cause())
        candidates.setdefault(r["incident_id"], []).append(
            (deploy_x(r) + blank_a, r["deployment_id"] in cause.deployments))
    for r in queries.rows(con, "eval_agent_features"):
        cause = causes.get(r["incident_id"], Cause())
        named = r["source_ref"] in cause.agent_refs or r["event_id"] in cause.agent_refs
        candidates.setdefault(r["incident_id"], []).append((blank_d + agent_x(r), named))
    for group in candidates.values():
        right = [i for i, (_, y) in enumerate(group) if y]
        x = [m for m, _ in group] + [blank_d + blank_a]
        rows.cause_groups.append((x, right[0] if right else len(group)))
        rows.candidates += len(group)
        rows.found += bool(right)
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in queries.rows(con, "eval_change_features"):
        groups.setdefault((r["incident_id"], r["deployment_id"]), []).append(r)
    for (incident, deployment), members in groups.items():
        cause = causes.get(incident, Cause())
        right = [i for i, m in enumerate(members) if m["change_id"] in cause.changes]
        if len(members) > 1 and deployment in cause.deployments and len(right) == 1:
            rows.change_groups.append(([change_x(m) for m in members], right[0]))


def stress_causes(truth: list[dict[str, Any]]) -> dict[str, Cause]:
    return {t["incident_id"]: Cause(frozenset([t["deployment_id"]]) if "deployment_id" in t else frozenset(),
                                    frozenset(t.get("change_ids", [])),
                                    frozenset([t["agent_ref"]]) if "agent_ref" in t else frozenset())
            for t in truth}


def simulator_causes(con: duckdb.DuckDBPyConnection, truth: dict[str, Any]) -> dict[str, Cause]:
    shipped: dict[str, set[str]] = {}
    for r in queries.rows(con, "eval_shipped"):
        shipped.setdefault(r["change_id"], set()).add(r["deployment_id"])
    causes = {}
    for t in truth["incidents"]:
        kind, cid = t["cause_kind"], t["cause_id"]
        if kind == "change":
            causes[t["incident_id"]] = Cause(frozenset(shipped.get(cid, set())), frozenset([cid]))
        elif kind == "deployment":
            causes[t["incident_id"]] = Cause(frozenset([cid]))
        elif kind == "agent_action":
            causes[t["incident_id"]] = Cause(agent_refs=frozenset([cid]))
    return causes


def conditional_logit(groups: Sequence[tuple[list[list[float]], int]], penalty: float = 1.0) -> list[float]:
    """Softmax-within-group regression: which member of each group was the one (Newton's method)."""
    k = len(groups[0][0][0])
    beta = np.zeros(k)
    for _ in range(50):
        gradient, hessian = -penalty * beta, np.eye(k) * penalty
        for members, right in groups:
            x = np.array(members, dtype=float)
            z = x @ beta
            p = np.exp(z - z.max())
            p /= p.sum()
            mean = p @ x
            gradient += x[right] - mean
            hessian += (x * p[:, None]).T @ x - np.outer(mean, mean)
        step = np.linalg.solve(hessian, gradient)
        beta += step
        if float(np.abs(step).max()) < 1e-8:
            break
    return [float(b) for b in beta]


def fit(rows: Rows) -> dict[str, float]:
    weights = dict(zip((*DEPLOY, *AGENT), conditional_logit(rows.cause_groups, penalty=0.1), strict=True))
    weights |= dict(zip(CHANGE, conditional_logit(rows.change_groups), strict=True))
    return weights | IDENTITY


def top_right(top: dict[str, Any], cause: Cause) -> bool:
    """Whether an incident's top suspect (a row of eval_top_suspects) is its true cause."""
    if top["suspect_kind"] == "agent_action":
        return top["agent_ref"] in cause.agent_refs or top["suspect_id"] in cause.agent_refs
    if top["suspect_kind"] == "change" and cause.changes:
        return bool(top["suspect_id"] in cause.changes)
    return bool(top["deployment_id"] in cause.deployments)


def gather_tops(rows: Rows, params: LinkParams) -> None:
    """The top suspect of every incident of the fit histories under ``params`` (uncalibrated
    shares): its method, the logit of its confidence and whether it was right. An incident with
    no recorded cause counts its top suspect as wrong."""
    for lake, causes, incidents in rows.lakes:
        con = model(lake, params)
        top = {r["incident_id"]: r for r in queries.rows(con, "eval_top_suspects")}
        con.close()
        for incident in incidents:
            r = top.get(incident)
            if r is None or r["methods"][0] not in METHODS:
                continue
            c = min(max(float(r["confidence"]), 1e-9), 1 - 1e-9)
            right = top_right(r, causes.get(incident, Cause()))
            rows.tops.append((r["methods"][0], math.log(c / (1 - c)), right))


def platt(points: Sequence[tuple[float, bool]], penalty: float = 1.0) -> tuple[float, float]:
    """Logistic regression of right on (logit, 1), L2-penalised toward scale 1, shift 0 (identity)."""
    prior = np.array([1.0, 0.0])
    beta = prior.copy()
    if not points:
        return 1.0, 0.0
    x = np.array([[z, 1.0] for z, _ in points])
    y = np.array([float(r) for _, r in points])
    for _ in range(50):
        p = 1 / (1 + np.exp(-(x @ beta)))
        gradient = x.T @ (y - p) - penalty * (beta - prior)
        hessian = (x * (p * (1 - p))[:, None]).T @ x + penalty * np.eye(2)
        step = np.linalg.solve(hessian, gradient)
        beta += step
        if float(np.abs(step).max()) < 1e-10:
            break
    return float(beta[0]), float(beta[1])


def recalibrate(rows: Rows, weights: dict[str, float]) -> dict[str, float]:
    """Platt scaling of the shares, fitted on the top suspects of the fit histories under ``weights``."""
    gather_tops(rows, LinkParams().with_weights(weights | IDENTITY))
    scale, shift = platt([(z, r) for _, z, r in rows.tops])
    # one map for every method, so the order of the competing shares is kept: maps fitted per
    # method reordered deployments of different methods and cost 3 points of top-1 deployment
    return weights | {f"calib_{m}_{part}": value for m in METHODS
                      for part, value in (("scale", scale), ("shift", shift))}


def collect(folder: Path, names: list[str] | None, seeds: list[int], simulator_seeds: Sequence[int] = (),
            say: Callable[[str], None] = print) -> Rows:
    rows = Rows()
    for v in [variant(n) for n in names] if names else list(VARIANTS):
        for seed in seeds:
            history = generate(v, seed)
            with contextlib.redirect_stderr(io.StringIO()):
                lake = land(history, folder / f"{v.name}-{seed}")
            con = model(lake, LinkParams())
            causes = stress_causes(history.truth)
            gather(con, causes, rows)
            con.close()
            rows.lakes.append((lake, causes, [t["incident_id"] for t in history.truth]))
            rows.histories.append(f"{v.name}:{seed}")
        say(f"  fit groups from {v.name}: {len(rows.cause_groups)} incidents with candidates, "
            f"{len(rows.change_groups)} multi-change")
    for seed in simulator_seeds:
        con, truth = _simulated(folder / f"simulate-{seed}", seed)
        causes = simulator_causes(con, truth)
        gather(con, causes, rows)
        con.close()
        incidents = [t["incident_id"] for t in truth["incidents"]]
        rows.lakes.append((folder / f"simulate-{seed}" / "lake", causes, incidents))
        rows.histories.append(f"simulate:{seed}")
        say(f"  fit groups with simulate seed {seed}: {len(rows.cause_groups)} incidents with candidates")
    return rows


def _simulated(folder: Path, seed: int, days: int = 14) -> tuple[duckdb.DuckDBPyConnection, dict[str, Any]]:
    from aftershock.cli import main

    folder.mkdir(parents=True, exist_ok=True)
    with contextlib.redirect_stderr(io.StringIO()):
        code = main(["simulate", "--days", str(days), "--seed", str(seed), "--lake", str(folder / "lake"),
                     "--truth", str(folder / "truth.json")])
    if code != 0:
        raise RuntimeError(f"simulate --seed {seed} exited {code}")
    truth: dict[str, Any] = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    return model(folder / "lake", LinkParams()), truth


def render(weights: dict[str, float], rows: Rows) -> str:
    lines = ["# Linking weights (see analytics/sql/link_score.sql, link_change_features.sql and METRICS.md,",
             '# "Calibration"). Written by `python bench/postmortem_eval.py --fit`; do not edit by hand.',
             f"# Fit on {len(rows.histories)} histories: {', '.join(rows.histories)}",
             f"# {len(rows.cause_groups)} incidents with {rows.candidates} candidates (the cause among them "
             f"for {rows.found}), {len(rows.change_groups)} multi-change deployments that caused one",
             "[weights]"]
    counts = {m: sum(1 for n, _, _ in rows.tops if n == m) for m in METHODS}
    lines.insert(-1, "# One Platt map for every method (calib_*), fitted on the fit histories' top suspects: "
                 + ", ".join(f"{m} {n}" for m, n in counts.items()))
    lines += [f"{name} = {weights[name]:.4f}" for name in (*DEPLOY, *AGENT, *CHANGE, *CALIB)]
    return "\n".join(lines) + "\n"


def fit_and_write(folder: Path, names: list[str] | None, seeds: list[int],
                  simulator_seeds: Sequence[int] = (1001, 1002, 1003, 1004)) -> dict[str, float]:
    rows = collect(folder, names, seeds, simulator_seeds, say=lambda s: print(s, file=sys.stderr, flush=True))
    weights = recalibrate(rows, fit(rows))
    WEIGHTS_FILE.write_text(render(weights, rows), encoding="utf-8")
    from analytics.model import calibrated_weights

    calibrated_weights.cache_clear()
    return weights
