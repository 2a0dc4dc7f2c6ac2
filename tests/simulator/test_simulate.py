"""The simulator: every event valid, same seed -> same bytes, truth consistent with the events."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from aftershock.cli import main
from aftershock.errors import ConfigError
from schemas.event import ChangeEvent, DeploymentEvent, IncidentEvent, parse_event
from simulator.effects import load_effects


def _simulate(tmp_path: Path, name: str, *extra: str, days: int = 21, seed: int = 7) -> tuple[Path, Path]:
    out, truth = tmp_path / f"{name}.ndjson", tmp_path / f"{name}.truth.json"
    code = main(["simulate", "--days", str(days), "--seed", str(seed), "--out", str(out),
                 "--truth", str(truth), *extra])
    assert code == 0
    return out, truth


def test_every_event_of_a_run_is_a_valid_event(tmp_path: Path) -> None:
    out, _ = _simulate(tmp_path, "run")
    kinds = Counter(parse_event(line).event_type for line in out.read_bytes().splitlines())
    assert set(kinds) == {"change", "deployment", "incident", "agent_action", "gate_decision"}
    assert kinds["change"] > 1000


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    a, ta = _simulate(tmp_path, "a")
    b, tb = _simulate(tmp_path, "b")
    c, _ = _simulate(tmp_path, "c", seed=8)
    assert a.read_bytes() == b.read_bytes()
    assert ta.read_bytes() == tb.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_stream_is_in_emission_order_and_has_late_events(tmp_path: Path) -> None:
    out, _ = _simulate(tmp_path, "order")
    events = [json.loads(line) for line in out.read_bytes().splitlines()]
    emitted = [e["emitted_at"] for e in events]
    assert emitted == sorted(emitted)
    late = [e for e in events if e["emitted_at"] > e["occurred_at"][:11] + "23:59:59Z"]
    assert late, "some events are emitted on a later day than they occurred"


def test_truth_names_causes_that_exist_in_the_events(tmp_path: Path) -> None:
    out, truth_path = _simulate(tmp_path, "truth", days=40)
    truth = json.loads(truth_path.read_text())
    assert {"seed", "days", "planted", "changes_bad", "incidents"} <= set(truth)
    assert (truth["seed"], truth["days"]) == (7, 40)
    assert {"ai_relative_risk", "category_multiplier", "risky_path_categories"} <= set(truth["planted"])
    levels = {"suggested", "co_authored", "agent_authored", "unknown"}
    assert set(truth["planted"]["ai_relative_risk"]) == levels
    assert all(set(i) == {"incident_id", "cause_kind", "cause_id"} for i in truth["incidents"])
    events = [parse_event(line) for line in out.read_bytes().splitlines()]
    changes = {e.change_id for e in events if isinstance(e, ChangeEvent)}
    shipped = {c for e in events if isinstance(e, DeploymentEvent) for c in e.payload.change_ids}
    deployments = {e.deployment_id for e in events if isinstance(e, DeploymentEvent)}
    actions = {e.event_id for e in events if e.event_type == "agent_action"}
    incidents = {e.incident_id for e in events if isinstance(e, IncidentEvent)}
    assert {i["incident_id"] for i in truth["incidents"]} == incidents
    kinds = Counter(i["cause_kind"] for i in truth["incidents"])
    assert kinds["change"] > 0 and kinds["agent_action"] > 0 and kinds["unrecorded"] > 0
    missing = set(truth["changes_missing"])
    for inc in truth["incidents"]:
        pool = {"change": changes | missing, "deployment": deployments,
                "agent_action": actions, "unrecorded": {None}}[inc["cause_kind"]]
        assert inc["cause_id"] in pool, inc
    assert set(truth["changes_bad"]) <= changes | missing
    caused = [i["cause_id"] for i in truth["incidents"] if i["cause_kind"] == "change"]
    assert sum(c in shipped for c in caused) >= 0.9 * len(caused), "most causes are named by a deployment"
    assert truth["planted"]["risky_path_categories"] == sorted(
        k for k, v in truth["planted"]["category_multiplier"].items() if v >= 2)


def test_reverts_and_rollbacks_point_at_real_things(tmp_path: Path) -> None:
    out, _ = _simulate(tmp_path, "reverts", days=40)
    events = [parse_event(line) for line in out.read_bytes().splitlines()]
    changes = {e.change_id for e in events if isinstance(e, ChangeEvent)}
    reverts = [e for e in events if isinstance(e, ChangeEvent) and e.payload.kind == "revert"]
    deploys = [e for e in events if isinstance(e, DeploymentEvent)]
    rollbacks = [e for e in deploys if e.payload.rollback_of]
    statuses = Counter(e.payload.status for e in deploys)
    assert reverts and rollbacks and statuses["rolled_back"] and statuses["failed"]
    assert all(r.payload.reverts_change_id and r.change_id in changes for r in reverts)
    assert {r.payload.rollback_of for r in rollbacks} <= {e.deployment_id for e in deploys}


def test_effects_file_changes_the_planted_effects(tmp_path: Path) -> None:
    effects = tmp_path / "effects.toml"
    effects.write_text("base_rate = 0.2\n[category_multiplier]\ndocs = 3.0\niam_policy = 1.0\n"
                       "deploy_logic = 1.0\ncontrol_plane = 1.0\ndata_migration = 1.0\n"
                       "[rollout.canary]\np_caught = 0.9\n")
    _, truth_path = _simulate(tmp_path, "fx", "--effects", str(effects), days=7)
    planted = json.loads(truth_path.read_text())["planted"]
    assert planted["base_rate"] == 0.2
    assert planted["risky_path_categories"] == ["docs"]
    assert planted["category_multiplier"]["config"] == 1.5, "a partial table keeps the other defaults"
    assert planted["rollout"]["canary"]["p_caught"] == 0.9
    assert planted["rollout"]["canary"]["p_incident_escaped"] == 0.6


def test_bad_arguments_are_clear_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = str(tmp_path / "x.ndjson")
    assert main(["simulate", "--days", "0", "--out", out]) == 2
    assert main(["simulate", "--days", "3", "--scale", "-1", "--out", out]) == 2
    assert main(["simulate", "--days", "3", "--out", out, "--effects", str(tmp_path / "none.toml")]) == 2
    err = capsys.readouterr().err
    assert "--days must be at least 1" in err and "--scale must be positive" in err
    assert "none.toml: cannot read" in err


def test_bad_effects_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"base_rate": "lots"}')
    with pytest.raises(ConfigError, match=r"bad.json: base_rate"):
        load_effects(bad)
    bad.write_text('{"nonsense": 1}')
    with pytest.raises(ConfigError, match="nonsense"):
        load_effects(bad)


def test_same_bytes_across_processes_with_different_hash_seeds(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    outputs = []
    for hash_seed in ("1", "2"):
        out = tmp_path / f"h{hash_seed}.ndjson"
        env = os.environ | {"PYTHONHASHSEED": hash_seed}
        subprocess.run([sys.executable, "-m", "aftershock", "simulate", "--days", "5", "--seed", "3",
                        "--out", str(out)], check=True, env=env, capture_output=True)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] and outputs[0]
