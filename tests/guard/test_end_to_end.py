"""End to end on the real broker: hook decisions spooled, `aftershock spool ship` through the SDK,
landed by the ingest worker, visible in `aftershock report`'s agent guardrails figures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aftershock.settings import KafkaSettings
from lake.reader import open_lake
from tests.guard.test_hook_process import call, pre, spooled
from tests.ingest.kafka_data import create_topics
from tests.ingest.worker_proc import start_worker, worker_env

pytestmark = pytest.mark.kafka
COMMANDS = ["ls -la", "npm test", "kubectl apply -f k8s/api.yaml", "terraform destroy",
            "sudo bash -c 'rm -rf /'", "rm -rf node_modules", "git push --force origin main",
            "PGPASSWORD=hunter2secret psql -h db -c 'DROP TABLE users'"]


def aftershock(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "aftershock", *args], capture_output=True, text=True,
                          env=env, timeout=180)


def test_decisions_reach_the_lake_and_the_report(kafka_bootstrap: str, topic_prefix: str, group_id: str,
                                                 guard_home: Path, tmp_path: Path) -> None:
    for i, command in enumerate(COMMANDS):
        assert call(pre(command, tool_use_id=f"toolu_{i}"), guard_home).returncode == 0
    post = json.loads((Path(__file__).parents[2].parent / "shared" / "real-events" / "claude-code-hooks"
                       / "PostToolUse.Write.json").read_text())
    assert call(post, guard_home).returncode == 0
    assert len(spooled(guard_home)) == len(COMMANDS) + 1

    kafka = KafkaSettings(topic_prefix=topic_prefix)
    create_topics(kafka_bootstrap, kafka.audit_topics() + [kafka.dead_letter_topic])
    env = worker_env(kafka_bootstrap, topic_prefix, group_id) | {"AFTERSHOCK_GUARD_HOME": str(guard_home)}
    shipped = aftershock(["spool", "ship"], env)
    assert shipped.returncode == 0, shipped.stderr
    assert f"{len(COMMANDS) + 1} sent, 0 rejected, 0 waiting" in shipped.stdout
    assert not list((guard_home / "spool").glob("*.ndjson"))  # truncated once acknowledged
    again = aftershock(["spool", "ship"], env)
    assert "0 sent" in again.stdout

    lake = tmp_path / "lake"
    worker = start_worker(lake, env, tmp_path / "worker.log")
    assert worker.wait(timeout=180) == 0, (tmp_path / "worker.log").read_text()[-3000:]
    rows = open_lake(lake).execute(
        "SELECT command, consequence_tier, decision, outcome, attributes['guard_rule'] "
        "FROM agent_action WHERE source = 'aftershock.guard' ORDER BY command").fetchall()
    landed = {r[0]: r[1:4] for r in rows if r[0] is not None}
    assert landed["terraform destroy"] == ("destructive", "denied", "blocked")
    assert landed["sudo bash -c 'rm -rf /'"] == ("destructive", "denied", "blocked")
    assert landed["rm -rf node_modules"] == ("destructive", "allowed", "unknown")
    assert landed["kubectl apply -f k8s/api.yaml"] == ("mutate_config", "asked", "unknown")
    assert landed["ls -la"] == ("read", "allowed", "unknown")
    assert len(rows) == len(COMMANDS) + 1
    secret = [r for r in rows if r[0] and "psql" in r[0]][0]
    assert "hunter2secret" not in secret[0] and "[REDACTED" in secret[0]  # redacted when shipped
    assert secret[1:3] == ("destructive", "denied")

    now = datetime.now(UTC)
    report = aftershock(["report", "--lake", str(lake), "--format", "json",
                         "--since", (now - timedelta(days=1)).isoformat(),
                         "--until", (now + timedelta(days=1)).isoformat()], env)
    assert report.returncode == 0, report.stderr
    agents = json.loads(report.stdout)["agents"]
    assert agents["destructive"] == 5  # terraform destroy, rm -rf /, node_modules, force push, DROP
    assert agents["destructive_executed"] == 1  # rm -rf node_modules: passed by the policy row
    by = {(a["consequence_tier"], a["decision"]): a["actions"] for a in agents["actions"]}
    assert by[("destructive", "denied")] == 4 and by[("mutate_config", "asked")] == 1
    text = aftershock(["report", "--lake", str(lake), "--since", (now - timedelta(days=1)).isoformat(),
                       "--until", (now + timedelta(days=1)).isoformat()], env)
    assert "Agents: 5 destructive actions, 1 executed" in text.stdout


def test_ship_keeps_events_when_the_broker_is_unreachable(guard_home: Path) -> None:
    assert call(pre("terraform destroy"), guard_home).returncode == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("AFTERSHOCK_")}
    env |= {"AFTERSHOCK_GUARD_HOME": str(guard_home), "AFTERSHOCK_KAFKA__BOOTSTRAP_SERVERS": "127.0.0.1:1"}
    shipped = aftershock(["spool", "ship"], env)
    assert shipped.returncode == 3
    assert shipped.stderr.startswith("aftershock: 1 events not acknowledged (")
    sdk_spool = guard_home / "spool" / "sdk" / "spool.ndjson"
    assert b"terraform destroy" in sdk_spool.read_bytes()  # kept, sent first next time
