"""Incidents that name their cause: PagerDuty custom fields and Opsgenie alert details map into the
incident's ``causes``; a CDEvents incident's artifact id resolves to the deployment of that
artifact. The real payloads in ../shared/real-events carry no cause fields: each test adds them to a
copy (said where), everything else is the payload as captured."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from adapters.registry import adapt
from analytics.model import LinkParams, ensure_model
from ingest.backfill import land_events
from lake.reader import open_lake
from schemas.event import IncidentEvent


def _load(real_events: Path, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((real_events / name).read_text())
    return data


def _causes(events: list[Any]) -> list[tuple[str, str, str]]:
    (event,) = events
    assert isinstance(event, IncidentEvent)
    return [(c.kind, c.ref, c.status) for c in event.payload.causes]


def test_pagerduty_custom_fields_name_the_causes(real_events: Path) -> None:
    body = _load(real_events, "pagerduty/incident.triggered.json")
    assert _causes(adapt("pagerduty", body)) == []  # as captured: no cause named
    # added to the copy: custom field values as PagerDuty lists them ({name, value, ...})
    body["event"]["data"]["custom_fields"] = [
        {"id": "PT4KHLK", "name": "environment", "type": "field_value", "value": "production"},
        {"id": "PT4KHLL", "name": "cause_pr", "type": "field_value",
         "value": "https://github.com/acme/payments/pull/42"},
        {"id": "PT4KHLM", "name": "Cause_Deployment", "type": "field_value", "value": "deploy-7, deploy-8"},
    ]
    assert _causes(adapt("pagerduty", body)) == [
        ("change", "acme/payments#42", "suspected"), ("deployment", "deploy-7", "suspected"),
        ("deployment", "deploy-8", "suspected")]


def test_opsgenie_details_name_a_confirmed_cause(real_events: Path) -> None:
    body = _load(real_events, "opsgenie/alert.close.json")
    assert _causes(adapt("opsgenie", body)) == []
    # added to the copy: alert details (Opsgenie's extra properties) naming the cause
    body["alert"]["details"] = {"cause_commit": "9f1c2e7", "cause_status": "Confirmed", "runbook": "x"}
    assert _causes(adapt("opsgenie", body)) == [("change", "9f1c2e7", "confirmed")]


def test_a_cdevents_artifact_id_resolves_to_the_deployment(real_events: Path, tmp_path: Path) -> None:
    events = [*adapt("cdevents", _load(real_events, "cdevents/service_deployed.json")),
              *adapt("cdevents", _load(real_events, "cdevents/incident_detected.json"))]
    land_events(tmp_path / "lake", events)  # both real payloads name the same OCI artifact
    con = open_lake(tmp_path / "lake")
    ensure_model(con, LinkParams())
    rows = con.execute("SELECT incident_id, kind, ref_id, method FROM a_link_evidence "
                       "WHERE method = 'artifact'").fetchall()
    assert rows == [("cdevents:incident-123", "deployment",
                     "cdevents:271069a8-fc18-44f1-b38f-9d70a1695819", "artifact")]

