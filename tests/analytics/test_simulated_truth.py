"""Against the simulator's ground truth, across 20 seeds of 30 simulated days each:

- the planted relative risk of each AI level lies inside the reported 95 % interval in >= 90 % of
  seeds (a refused comparison counts as a miss);
- the top-ranked suspect is the recorded cause for >= 80 % of incidents that have one (pooled);
- the share of incidents with no recorded cause that still get linked is small (<= 25 %).
The measured numbers are printed (run with -s to see them).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from aftershock.cli import main
from analytics.metrics import ReportParams, build_report
from lake.reader import open_lake

SEEDS = range(1, 21)
DAYS = 30


def _simulate(folder: Path, seed: int) -> dict[str, Any]:
    code = main(["simulate", "--days", str(DAYS), "--seed", str(seed),
                 "--lake", str(folder / "lake"), "--truth", str(folder / "truth.json")])
    assert code == 0
    truth: dict[str, Any] = json.loads((folder / "truth.json").read_text())
    return truth


def _score(folder: Path, truth: dict[str, Any]) -> dict[str, Any]:
    con = open_lake(folder / "lake")
    report = build_report(con, ReportParams())
    top = {i: (k, s, d, c) for i, k, s, d, c in con.execute(
        "SELECT incident_id, suspect_kind, suspect_id, deployment_id, confidence "
        "FROM a_links WHERE rank = 1").fetchall()}
    recorded = [i for i in truth["incidents"] if i["cause_kind"] != "unrecorded"]
    unrecorded = [i for i in truth["incidents"] if i["cause_kind"] == "unrecorded"]
    hits = sum(1 for i in recorded
               if i["incident_id"] in top and i["cause_id"] in top[i["incident_id"]][1:3])
    wrong = sum(1 for i in unrecorded if i["incident_id"] in top and top[i["incident_id"]][3] >= 0.5)
    planted = truth["planted"]["ai_relative_risk"]
    covered = {r["ai_level"]: r["status"] == "ok"
               and r["interval"][0] <= planted[r["ai_level"]] <= r["interval"][1]
               for r in report["ai"]["relative_risk"]}
    return {"hits": hits, "recorded": len(recorded), "wrong": wrong, "unrecorded": len(unrecorded),
            "covered": covered}


@pytest.mark.slow
def test_planted_effects_and_true_causes_are_recovered(tmp_path: Path) -> None:
    scores = []
    for seed in SEEDS:
        folder = tmp_path / str(seed)
        scores.append(_score(folder, _simulate(folder, seed)))
    top1 = sum(s["hits"] for s in scores) / sum(s["recorded"] for s in scores)
    wrong = sum(s["wrong"] for s in scores) / max(1, sum(s["unrecorded"] for s in scores))
    coverage = {level: sum(s["covered"][level] for s in scores) / len(scores)
                for level in scores[0]["covered"]}
    print(f"\ntop-1 true cause {top1:.1%}; unrecorded wrongly linked {wrong:.1%}; RR coverage {coverage}")
    assert top1 >= 0.80
    assert wrong <= 0.25
    assert all(share >= 0.90 for share in coverage.values()), coverage
