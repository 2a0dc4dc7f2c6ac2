"""Layers that held, on the hand-checked lake of layers_fixture.py (real Parquet, real DuckDB)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from analytics import queries
from analytics.board.agents import agents
from analytics.board.filters import Filters
from analytics.board.source import locate
from analytics.metrics import ReportParams, build_report
from analytics.model import LinkParams
from analytics.postmortem import postmortem
from analytics.report import postmortem_text, report_text, to_json
from analytics.stats import wilson
from analytics.store import connect
from ingest.backfill import land_events
from lake.reader import open_lake
from tests.analytics.layers_fixture import all_events, at


@pytest.fixture(scope="module")
def layers_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("layers") / "lake"
    land_events(path, all_events())
    return path


@pytest.fixture()
def lcon(layers_lake: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = open_lake(layers_lake)
    yield connection
    connection.close()


@pytest.fixture()
def report(lcon: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    return build_report(lcon, ReportParams(since=at(0), until=at(24 * 60)))


def _share(figure: dict[str, Any]) -> tuple[int, int, float | None]:
    return figure["numerator"], figure["denominator"], figure["coverage"]


def test_each_incident_lists_the_layers_it_passed(report: dict[str, Any]) -> None:
    rows = {r["incident_id"]: r for r in report["layers"]["incidents"]}
    assert sorted(rows) == ["J1", "J2", "J3", "J4"]  # J5 has no causal change
    got = {i: (r["change_id"], r["gate"], r["review"], r["rollout"], r["rollback"], r["layers_held"])
           for i, r in rows.items()}
    assert got == {
        "J1": ("pay@l1", "held", "failed", "held", "held", 3),
        "J2": ("shop@l2", "failed", "failed", "failed", "failed", 0),
        "J3": ("web@l3", "failed", "absent", "absent", "failed", 0),
        "J4": ("api@l4", "absent", "failed", "held", "failed", 1),
    }
    assert [(r["gate_tier"], r["verification"], r["approved_by"]) for r in rows.values()] == [
        ("medium", "done", []), ("high", "overridden", ["lead"]), ("low", None, []), (None, None, None)]
    assert [r["caught_at_canary"] for r in rows.values()] == [True, False, False, True]
    assert [r["detection_minutes"] for r in rows.values()] == [5.0, 30.0, 10.0, 2.0]
    assert [r["strategy"] for r in rows.values()] == ["canary", "staged", "all_at_once", "canary"]


def test_org_table_counts_incident_causing_changes(report: dict[str, Any]) -> None:
    t = report["layers"]["incident_changes"]
    assert t["changes"] == 4
    assert _share(t["gate_flagged"]) == (2, 4, 0.75)
    assert _share(t["caught_at_canary"]) == (2, 4, 1.0)
    assert _share(t["rolled_back_before_impact"]) == (1, 4, 1.0)
    assert _share(t["reached_customers_through_every_layer"]) == (2, 4, 0.75)
    assert t["rolled_back_before_impact"]["interval"] == wilson(1, 4)
    held = [(x["layers_held"], x["incidents"]) for x in report["layers"]["incidents_by_layers_held"]]
    assert held == [(0, 2), (1, 1), (2, 0), (3, 1)]


def test_gate_recall_flag_rate_and_overrides(report: dict[str, Any]) -> None:
    g = report["layers"]["gate"]
    assert _share(g["flag_rate"]) == (4, 6, 1.0)
    assert _share(g["recall"]) == (2, 3, 1.0)
    assert g["recall"]["interval"] == wilson(2, 3)
    assert _share(g["overrides_before_incidents"]) == (1, 2, 1.0)
    weeks = [(w["week"].date().isoformat(), w["recall"]["numerator"]) for w in g["by_week"]]
    assert weeks == [("2026-11-02", 2)]
    overrides = g["overrides_before_incidents_listed"]
    listed = [(o["change_id"], o["approved_by"], o["incidents"]) for o in overrides]
    assert listed == [("shop@l2", ["lead"], ["J2"])]


def test_the_period_bounds_the_figures(lcon: duckdb.DuckDBPyConnection) -> None:
    early = build_report(lcon, ReportParams(since=at(0), until=at(300)))["layers"]  # J1 and J2 only
    assert early["incident_changes"]["changes"] == 2
    assert _share(early["incident_changes"]["gate_flagged"]) == (2, 2, 1.0)
    assert _share(early["gate"]["flag_rate"]) == (2, 2, 1.0)  # decisions on L1 and L2 only


def test_report_text_and_json_carry_the_section(report: dict[str, Any]) -> None:
    text = report_text(report)
    assert "Layers that held (4 incident-causing changes; incidents by layers held 0: 2, 1: 1" in text
    assert "gate recall            66.7% (2/3" in text
    assert '"reached_customers_through_every_layer"' in to_json(report)


def test_postmortem_has_the_incident_layers(lcon: duckdb.DuckDBPyConnection) -> None:
    pm = postmortem(lcon, "J2")
    assert pm["layers"]["verification"] == "overridden" and pm["layers"]["layers_held"] == 0
    assert "Layers (shop@l2, 0 of 3 held)" in postmortem_text(pm)
    unlinked = postmortem(lcon, "J5")
    assert unlinked["layers"] is None
    assert "not linked to a change" in postmortem_text(unlinked)


@pytest.mark.parametrize("check", ["layers_consistent", "gate_changes_unique", "blame_one_per_incident"])
def test_checks_hold_on_the_layers_lake(report: dict[str, Any], lcon: duckdb.DuckDBPyConnection,
                                        check: str) -> None:
    assert report["layers"]["incidents"]
    assert queries.rows(lcon, check, package="analytics.checks") == []


def test_a_wrong_layer_count_is_caught(report: dict[str, Any], lcon: duckdb.DuckDBPyConnection) -> None:
    assert report["layers"]["incidents"]
    lcon.execute("UPDATE a_layers SET layers_held = 2 WHERE incident_id = 'J2'")
    assert queries.rows(lcon, "layers_consistent", package="analytics.checks") == [
        {"incident_id": "J2", "problem": "layers_held 2"}]


def test_the_agents_page_counts_gate_decisions_by_the_change_they_judged(layers_lake: Path) -> None:
    connect(layers_lake, LinkParams(), 0.5).close()  # the stored model the page reads
    src = locate(layers_lake, LinkParams(), 0.5)
    day = date(2026, 11, 2)
    gates = agents(src, Filters(since=day, until=day))["gate_decisions"]
    got = {(r["decision"], r["override"]): (r["judged"], r["matched"], r["deployed"], r["failed"])
           for r in gates}
    # allow: L1@55, L3, L5@610, L6 (L1 and L3 caused incidents); require_review: L1@50, L5@600;
    # block: L2@100, L7@800; block overridden: L2@110, L7@805 (L2 caused one)
    assert got == {("allow", False): (4, 4, 4, 2), ("require_review", False): (2, 2, 2, 1),
                   ("block", False): (2, 2, 2, 1), ("block", True): (2, 2, 2, 1)}
    pay = agents(src, Filters(since=day, until=day, services=("pay",)))["gate_decisions"]
    got_pay = {(r["decision"], r["judged"], r["failed"]) for r in pay}
    assert got_pay == {("allow", 2, 1), ("require_review", 2, 1)}
