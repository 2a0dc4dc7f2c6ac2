"""``--emit``: the decision as a ``gate_decision`` event, one line appended to an NDJSON spool.

The line is a native event (``aftershock ingest backfill SPOOL`` lands it). It is written with a
single ``write`` on a file opened for appending and fsync'd before the command returns; a crash
mid-append leaves at most a cut last line, which backfill reports as a dead letter naming
file:line.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aftershock.errors import ConfigError


def decision_event(d: dict[str, Any], inputs: dict[str, Any], service: str | None,
                   now: datetime | None = None) -> dict[str, Any]:
    """The validated ``gate_decision`` event (a JSON-ready dict) of one classification."""
    from schemas.event import parse_obj

    when = now or datetime.now(UTC)
    inputs_json = json.dumps(inputs, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(f"{d['change_id']}\n{d['rules_version']}\n{inputs_json}\n"
                            f"{d['decision']}".encode()).hexdigest()[:24]
    event = parse_obj({
        "event_id": f"gate:ci:{digest}", "event_type": "gate_decision", "source": "aftershock-gate",
        "occurred_at": when.isoformat(), "service_name": service, "change_id": d["change_id"],
        "attributes": {"gate.exit_code": str(d["exit_code"]), "gate.checked": str(d["checked"]).lower()},
        "payload": {"subject_kind": "change", "subject_id": d["change_id"], "gate": "ci",
                    "inputs_json": inputs_json, "score": d["score"], "tier": d["tier"],
                    "rules_fired": [r["id"] for r in d["rules_fired"]],
                    "required_verification": [v["id"] for v in d["verification"]],
                    "decision": d["decision"], "rules_version": d["rules_version"]},
    })
    data: dict[str, Any] = event.model_dump(mode="json", exclude_none=True)
    return data


def append(spool: Path, event: dict[str, Any]) -> None:
    line = (json.dumps(event, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")
    try:
        fd = os.open(spool, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise ConfigError(f"gate spool {spool}: cannot append ({exc.strerror}): check --emit") from exc
