"""``aftershock import``: captured deliveries and raw payloads to Kafka or the lake; bad items counted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aftershock.cli import main
from aftershock.errors import ExitCode
from aftershock.settings import KafkaSettings
from tests.sdk.helpers import read_topics


def _capture(real_events: Path, tmp_path: Path) -> Path:
    """NDJSON of captured deliveries built from real payloads, plus three bad lines."""
    lines = [
        {
            "source": "github",
            "headers": {"X-GitHub-Event": "push"},
            "body": json.loads((real_events / "github/push.single-commit.json").read_text()),
        },
        {
            "source": "github",
            "headers": {"x-github-event": "deployment_status"},
            "body": json.loads((real_events / "github/deployment_status.success.json").read_text()),
        },
        {
            "source": "pagerduty",
            "headers": {},
            "received_at": "2026-11-02T14:03:11Z",
            "body": json.loads((real_events / "pagerduty/incident.resolved.json").read_text()),
        },
        {
            "source": "claude-code",
            "headers": {},
            "received_at": "2026-11-02T14:03:11Z",
            "body": json.loads((real_events / "claude-code-hooks/PreToolUse.Bash.json").read_text()),
        },
        {
            "source": "claude-code",
            "headers": {},
            "body": json.loads((real_events / "claude-code-hooks/SessionStart.json").read_text()),
        },
        {"source": "jira", "headers": {}, "body": {}},
    ]
    text = "\n".join(json.dumps(line) for line in lines) + '\n{"source": "github", "body": {"ref\n'
    path = tmp_path / "deliveries.ndjson"
    path.write_text(text)
    return path


def test_import_to_the_lake_reports_bad_items(
    real_events: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("ingest.backfill", reason="the lake landing code is not in this tree")
    from lake.reader import open_lake

    code = main(["import", str(_capture(real_events, tmp_path)), "--lake", str(tmp_path / "lake")])
    err = capsys.readouterr().err
    assert code == ExitCode.REJECTED
    assert "deliveries.ndjson:5: source=claude-code event=SessionStart $.hook_event_name" in err
    assert "deliveries.ndjson:6: source=jira" in err and "unknown source" in err
    assert "deliveries.ndjson:7 (col" in err and "not JSON" in err
    assert "7 items -> 4 events" in err and "3 rejected" in err
    lake = open_lake(tmp_path / "lake")
    counts = {
        t: lake.execute(f"select count(*) from {t}").fetchone()[0]  # noqa: S608 - fixed names
        for t in ("change", "deployment", "incident", "agent_action")
    }
    assert counts == {"change": 1, "deployment": 1, "incident": 1, "agent_action": 1}


@pytest.mark.kafka
def test_import_raw_payloads_to_kafka(
    real_events: Path,
    tmp_path: Path,
    kafka_bootstrap: str,
    topic_prefix: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AFTERSHOCK_KAFKA__BOOTSTRAP_SERVERS", kafka_bootstrap)
    monkeypatch.setenv("AFTERSHOCK_KAFKA__TOPIC_PREFIX", topic_prefix)
    ndjson = tmp_path / "trail.ndjson"
    records = json.loads(
        (real_events / "aws-cloudtrail/CreateUser+AttachUserPolicy+CreateAccessKey.stratus.json").read_text()
    )
    ndjson.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    single = real_events / "aws-cloudtrail/DeleteStack.json"
    code = main(
        ["import", "--source", "cloudtrail", str(ndjson), str(single), "--spool", str(tmp_path / "sp")]
    )
    assert code == ExitCode.OK
    got = read_topics(kafka_bootstrap, KafkaSettings(topic_prefix=topic_prefix), 4)
    assert sorted(r["payload"]["verb"] for r in got) == sorted(
        [r["eventName"] for r in records] + ["DeleteStack"]
    )
    assert all(r["_topic"] == f"{topic_prefix}agent_actions" for r in got)


def test_raw_payload_without_source_is_rejected(
    real_events: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = main(["import", str(real_events / "gitlab/push.json"), "--lake", str(tmp_path / "lake")])
    assert code == ExitCode.REJECTED
    assert "a raw payload needs --source" in capsys.readouterr().err


def _hook(command: str) -> dict[str, object]:
    """A captured Claude Code PreToolUse delivery (the shape of the real hook input)."""
    body = {"session_id": "abc123", "cwd": "/home/user/my-project", "permission_mode": "default",
            "hook_event_name": "PreToolUse", "tool_name": "Bash",
            "tool_input": {"command": command, "description": "Run", "timeout": 120000},
            "tool_use_id": f"toolu_{command.replace(' ', '_')}"}
    return {"source": "claude-code", "headers": {}, "received_at": "2026-11-02T14:03:11Z", "body": body}


def test_a_deeply_nested_line_is_reported_and_skipped_the_good_ones_land(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from lake.reader import open_lake

    good = [json.dumps(_hook(f"npm test {i}")) for i in range(4)]
    deep = '{"source": "claude-code", "headers": {}, "body": ' + "[" * 20_000 + "]" * 20_000 + "}"
    path = tmp_path / "deep.ndjson"
    path.write_text("\n".join([deep, good[0], good[1], deep, good[2], good[3]]) + "\n")
    code = main(["import", str(path), "--lake", str(tmp_path / "lake")])
    err = capsys.readouterr().err
    assert code == ExitCode.REJECTED
    for line in (1, 4):
        assert f"deep.ndjson:{line}: objects and arrays nest deeper than 128 levels" in err
    assert "6 items -> 4 events" in err and "2 rejected" in err
    lake = open_lake(tmp_path / "lake")
    assert lake.execute("SELECT count(*) FROM agent_action").fetchone() == (4,)
