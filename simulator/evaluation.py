"""Postmortem evaluation: stress histories (:mod:`simulator.stress`) imported through
``aftershock import --lake`` as real-tool deliveries, the model built over the lake, and every
incident's top-ranked suspect compared with its true cause, beside the naive rule "the latest
deployment of the incident's service, and its head change" computed on the same lake."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from aftershock.errors import AftershockError
from analytics import queries
from analytics.model import LinkParams, ensure_model
from lake.reader import open_lake
from simulator.stress import History, Variant, generate


@dataclass
class Tally:
    """Hits out of incidents, for one variant (or all)."""

    deployment_incidents: int = 0
    deployment_hits: int = 0
    naive_deployment_hits: int = 0
    change_hits: int = 0
    naive_change_hits: int = 0
    agent_incidents: int = 0
    agent_hits: int = 0
    naive_agent_hits: int = 0
    unrecorded: int = 0
    unrecorded_linked: int = 0
    reliability: list[tuple[str, float, bool]] = field(default_factory=list)  # (method, confidence, right)
    # (change_confidence, right change) of top suspects whose deployment is the true one
    change_reliability: list[tuple[str, float, bool]] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name, value in vars(other).items():
            if name in ("reliability", "change_reliability"):
                getattr(self, name).extend(value)
            else:
                setattr(self, name, getattr(self, name) + value)

    def shares(self) -> dict[str, float | None]:
        def share(hits: int, total: int) -> float | None:
            return hits / total if total else None

        n, a = self.deployment_incidents, self.agent_incidents
        return {"deployment": share(self.deployment_hits, n),
                "naive_deployment": share(self.naive_deployment_hits, n),
                "change": share(self.change_hits, n), "naive_change": share(self.naive_change_hits, n),
                "agent": share(self.agent_hits, a), "naive_agent": share(self.naive_agent_hits, a),
                "unrecorded_linked": share(self.unrecorded_linked, self.unrecorded)}


def land(history: History, folder: Path) -> Path:
    """Write the deliveries as NDJSON and import them into ``folder/lake`` with the real CLI."""
    from aftershock.cli import main

    folder.mkdir(parents=True, exist_ok=True)
    deliveries = folder / "deliveries.ndjson"
    with deliveries.open("w", encoding="utf-8") as out:
        for delivery in history.ordered():
            out.write(json.dumps(delivery) + "\n")
    (folder / "truth.json").write_text(json.dumps(history.truth, indent=1) + "\n", encoding="utf-8")
    lake = folder / "lake"
    code = main(["import", "--lake", str(lake), str(deliveries)])
    if code != 0:
        raise AftershockError(f"import of {deliveries} exited {code}")
    return lake


def model(lake: Path, params: LinkParams | None = None) -> duckdb.DuckDBPyConnection:
    con = open_lake(lake)
    ensure_model(con, params)
    return con


def score(con: duckdb.DuckDBPyConnection, truth: list[dict[str, Any]], min_confidence: float = 0.5) -> Tally:
    """Compare the model's top suspects in ``con`` with ``truth`` (see :mod:`simulator.stress`)."""
    top = {r["incident_id"]: r for r in queries.rows(con, "eval_top_suspects")}
    naive = {r["incident_id"]: r for r in queries.rows(con, "eval_naive")}
    tally = Tally()
    for t in truth:
        first, guess = top.get(t["incident_id"]), naive.get(t["incident_id"], {})
        kind = t["cause_kind"]
        if kind == "unrecorded":
            tally.unrecorded += 1
            tally.unrecorded_linked += bool(first and first["confidence"] >= min_confidence)
            if first:  # whatever it names, it is not the cause
                tally.reliability.append((first["methods"][0], float(first["confidence"]), False))
            continue
        if kind == "deployment":
            tally.deployment_incidents += 1
            dep_hit = bool(first and first["deployment_id"] == t["deployment_id"])
            change_hit = bool(first and first["suspect_kind"] == "change"
                              and first["suspect_id"] in t["change_ids"])
            tally.deployment_hits += dep_hit
            tally.change_hits += change_hit
            tally.naive_deployment_hits += guess.get("deployment_id") == t["deployment_id"]
            tally.naive_change_hits += guess.get("change_id") in t["change_ids"]
            right = change_hit if first and first["suspect_kind"] == "change" else dep_hit
            if dep_hit and first and first["change_confidence"] is not None:
                size = "one change" if first["change_confidence"] >= 0.999 else "several changes"
                tally.change_reliability.append((size, float(first["change_confidence"]), change_hit))
        else:
            tally.agent_incidents += 1
            right = bool(first and first["agent_ref"] == t["agent_ref"])
            tally.agent_hits += right
        if first:
            tally.reliability.append((first["methods"][0], float(first["confidence"]), right))
    return tally


def run_one(v: Variant, seed: int, folder: Path, params: LinkParams | None = None) -> Tally:
    history = generate(v, seed)
    lake = land(history, folder)
    con = model(lake, params)
    try:
        return score(con, history.truth)
    finally:
        con.close()


def reliability_table(rows: list[tuple[str, float, bool]],
                      edges: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.01)) -> list[dict[str, Any]]:
    """Per method and confidence bin: suspects, mean confidence and the share that was right."""
    table = []
    for method in sorted({m for m, _, _ in rows}):
        for low, high in zip(edges, edges[1:], strict=False):
            hits = [(c, r) for m, c, r in rows if m == method and low <= c < high]
            if hits:
                table.append({"method": method, "bin": f"{low:.1f}-{min(high, 1.0):.1f}", "n": len(hits),
                              "mean_confidence": sum(c for c, _ in hits) / len(hits),
                              "right": sum(r for _, r in hits) / len(hits)})
    return table
