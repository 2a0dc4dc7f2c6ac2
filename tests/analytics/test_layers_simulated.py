"""Layers that held on a simulated lake, against the simulator's truth: the gate decisions carry
the score and tier the rules' evaluator gives the change, the lake's flagged and overridden
changes are the truth's, and the report's layer figures agree with the truth's causes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from aftershock.cli import main
from analytics.metrics import ReportParams, build_report
from analytics.rules.evaluate import evaluate, facts_of
from analytics.rules.model import load_rules
from lake.reader import open_lake

DAYS, SEED = 20, 3


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("sim-layers")
    args = ["simulate", "--days", str(DAYS), "--seed", str(SEED)]
    assert main([*args, "--out", str(folder / "events.ndjson"), "--truth", str(folder / "truth.json")]) == 0
    assert main([*args, "--lake", str(folder / "lake")]) == 0
    events = [json.loads(line) for line in (folder / "events.ndjson").read_bytes().splitlines()]
    con = open_lake(folder / "lake")
    report = build_report(con, ReportParams())
    gated = con.sql("SELECT change_id, flagged, overridden FROM a_gate_changes").fetchall()
    return {"events": events, "truth": json.loads((folder / "truth.json").read_text()), "report": report,
            "gated": gated}


def test_decisions_score_the_change_as_the_rules_evaluator_does(run: dict[str, Any]) -> None:
    rules = load_rules(None)
    changes = {e["change_id"]: e for e in run["events"] if e["event_type"] == "change"}
    decisions = [e for e in run["events"] if e["event_type"] == "gate_decision"]
    checked = 0
    for d in decisions:
        change = changes.get(d["change_id"])
        if change is None:  # its change event was dropped (truth: changes_missing)
            assert d["change_id"] in run["truth"]["changes_missing"]
            continue
        got = evaluate(rules, facts_of(change["payload"], change["attributes"]))
        assert (d["payload"]["score"], d["payload"]["tier"]) == (got.score, got.tier), d["change_id"]
        assert d["payload"]["rules_fired"] == list(got.rules_fired)
        checked += 1
    assert checked > 1000


def test_flagged_and_overridden_changes_are_the_truths(run: dict[str, Any]) -> None:
    truth = run["truth"]
    assert {c for c, flagged, _ in run["gated"] if flagged} == set(truth["gate_flagged"])
    assert {c for c, _, overridden in run["gated"] if overridden} == set(truth["gate_overridden"])
    rate = len(truth["gate_overridden"]) / len(truth["gate_flagged"])
    assert 0.03 <= rate <= 0.2, rate  # overrides: a plausible minority of flagged changes


def test_incident_layers_agree_with_the_true_causes(run: dict[str, Any]) -> None:
    truth, layers = run["truth"], run["report"]["layers"]
    cause = {i["incident_id"]: i["cause_id"] for i in truth["incidents"] if i["cause_kind"] == "change"}
    flagged, overridden = set(truth["gate_flagged"]), set(truth["gate_overridden"])
    rows = [r for r in layers["incidents"] if cause.get(r["incident_id"]) == r["change_id"]]
    assert len(rows) >= 0.8 * len(layers["incidents"]) and len(rows) >= 20
    for r in rows:
        assert r["gate_flagged"] == (r["change_id"] in flagged), r
        assert (r["verification"] == "overridden") == (r["change_id"] in overridden), r
        assert r["review"] == "failed"  # every simulated change is approved before merge
        # a simulated rollout stopped by a bad change stops after the incident it causes began
        assert not r["rolled_back_before_impact"], r
        assert r["caught_at_canary"] == (r["deployment_status"] == "rolled_back"), r
    t = layers["incident_changes"]
    blamed = {r["change_id"] for r in layers["incidents"]}
    assert t["changes"] == len(blamed)
    assert t["gate_flagged"]["numerator"] == len(blamed & flagged)
    assert t["gate_flagged"]["coverage"] == 1.0  # the simulated gate decides on every change


def test_the_gate_flags_incident_causing_changes_more_often_than_changes_at_large(
        run: dict[str, Any]) -> None:
    gate = run["report"]["layers"]["gate"]
    recall, flag_rate = gate["recall"], gate["flag_rate"]
    assert recall["denominator"] >= 20
    assert recall["interval"][0] > flag_rate["rate"], (recall, flag_rate)
