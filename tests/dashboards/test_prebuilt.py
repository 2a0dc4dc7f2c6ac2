"""The pages' figures stored by the background rebuild (analytics.board.prebuilt): equal to the
direct computation on the hand-checked lake, keyed by the rules file, trusted only through the
digest kept outside the lake; a risk-rules page without them starts the rebuild instead of
scoring every change itself."""

from __future__ import annotations

import shutil
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.board import prebuilt, refresh
from analytics.board.filters import Filters
from analytics.board.rules import (
    counted,
    counts_by_service,
    curve,
    curve_of,
    merged,
    rules_history,
    scored_curves,
    what_if,
    what_if_of,
)
from analytics.board.session import teams_of
from analytics.board.source import locate
from analytics.model import LinkParams
from analytics.store import connect
from ingest.backfill import land_events
from tests.analytics.fixture import incident
from tests.dashboards.conftest import PAGES

WAIT_SECONDS = 300  # how long a rebuild of the tiny lake may take on a loaded machine


def test_stored_figures_equal_the_direct_computation(fixture_lake: Path) -> None:
    src = locate(fixture_lake, LinkParams(), 0.5)
    stored = prebuilt.load(src, None)
    assert stored is not None
    wanted = prebuilt.defaults("production", None)
    for name, args in wanted:
        fn = prebuilt._function(name)
        found, value = prebuilt.lookup(stored, fn, args)
        assert found, name
        assert value == fn(src, *args), name
    widest = prebuilt.lookup(stored, prebuilt._function(prebuilt.CHOICES), (Filters(),))[1]["incidents"][0]
    assert widest["incident_id"] == "I1"
    explore = prebuilt._function(prebuilt.EXPLORE)
    assert prebuilt.lookup(stored, explore, ("I1",)) == (True, explore(src, "I1"))
    page = prebuilt._function(prebuilt.RULES_PAGE)
    assert prebuilt.lookup(stored, page, (Filters(), None, None)) == (True, page(src, Filters()))
    assert len(stored) == len(wanted) + 2
    # the service -> team map the page functions need comes with the stored figures
    teams = prebuilt.lookup(stored, prebuilt._function(prebuilt.OPTIONS), ())[1]["teams"]
    assert teams_of(src) == teams == {"payments": "team-money", "checkout": "team-money",
                                      "search": "team-find", "ledger": "team-find"}
    # another filter or another rules file is not stored: the page computes it
    assert prebuilt.lookup(stored, prebuilt._function(prebuilt.CHOICES), (Filters(services=("search",)),)) \
        == (False, None)


def test_a_changed_rules_file_needs_its_own_figures(fixture_lake: Path, tmp_path: Path) -> None:
    src = locate(fixture_lake, LinkParams(), 0.5)
    edited = tmp_path / "rules.toml"
    edited.write_text(prebuilt.DEFAULT_RULES.read_text() + "\n# edited\n")
    assert prebuilt.path_of(src, edited) != prebuilt.path_of(src, None)
    assert prebuilt.load(src, edited) is None
    args = (Filters(), edited, None)
    assert prebuilt.background_only(rules_history, src, args, edited)
    assert not prebuilt.background_only(rules_history, src, (Filters(since=date(2026, 11, 2)), edited, None),
                                        edited)


def test_figures_not_matching_their_digest_are_not_read(fixture_lake: Path, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    shutil.copytree(fixture_lake, lake)
    src = locate(lake, LinkParams(), 0.5)
    path = prebuilt.path_of(src, None)
    assert path is not None and prebuilt.load(src, None) is not None
    path.write_text(path.read_text().replace('"I1"', '"I9"'))
    assert prebuilt.load(src, None) is None


def test_values_beyond_json_come_back_as_they_were() -> None:
    value = {"at": datetime(2026, 11, 2, 1, 30), "day": date(2026, 11, 2), "pair": (1.5, None),
             "sum": Decimal("12.50"), "rows": [{"x": (1, 2)}], "inf": float("inf")}
    assert prebuilt.roundtrip(value) == value
    with pytest.raises(TypeError, match="set"):
        prebuilt.roundtrip({"bad": {1, 2}})


def test_counted_scores_give_the_curves_of_the_changes_themselves() -> None:
    rows = [{"service_name": s, "score": sc, "lines_added": la, "failed": f, "caused_incident": c}
            for s, sc, la, f, c in [("a", 3.0, 10, True, True), ("a", 2.0, 500, False, False),
                                    ("b", 2.0, 40, True, True), ("b", 1.0, 10, False, False),
                                    ("b", 1.0, 7, True, False)]]
    by = counts_by_service(rows)
    assert by["a"]["scores"] == [[2.0, 1, 0, 0], [3.0, 1, 1, 1]]
    assert by["b"]["lines"] == [[7.0, 1, 0], [10.0, 1, 0], [40.0, 1, 1]]
    both = scored_curves(merged(by.values()))
    items = [(float(r["score"]), bool(r["caused_incident"])) for r in rows]
    assert both["curve"] == curve(items)
    assert both["baseline"] == curve([(float(r["lines_added"]), bool(r["caused_incident"])) for r in rows])
    assert (both["changes"], both["incident_causing"], both["failed"]) == (5, 2, 3)
    assert both["scores"] == [1.0, 2.0, 3.0]
    assert what_if_of(both["counts"], 2.0) == what_if(items, 2.0)
    assert what_if(items, 2.0)["flagged"] == 3
    assert curve_of(counted(items), points=2) == curve(items, points=2)
    only_b = scored_curves(merged([by["b"]]))
    assert (only_b["changes"], only_b["incident_causing"]) == (3, 1)


def test_the_rules_page_without_stored_figures_starts_the_rebuild(fixture_lake: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    lake = tmp_path / "lake"
    shutil.copytree(fixture_lake, lake)
    for figures in (lake / "_model").glob("*.board-*.json"):
        figures.unlink()
    monkeypatch.setenv("AFTERSHOCK_DASHBOARD_LAKE", str(lake))
    at = AppTest.from_file(str(PAGES / "rules.py"), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("being computed in the background" in i.value for i in at.info)
    assert not at.metric  # nothing scored inside the render
    src = locate(lake, LinkParams(), 0.5)
    path = prebuilt.path_of(src, None)
    assert path is not None
    deadline = time.monotonic() + WAIT_SECONDS
    while not (path.exists() and not refresh.running(lake)) and time.monotonic() < deadline:
        time.sleep(0.5)
    log = (lake / "_model" / refresh.LOG_NAME).read_text(errors="replace")
    assert path.exists(), f"no figures after {WAIT_SECONDS} s; rebuild log:\n{log}"
    at.run()
    assert not at.exception
    assert "7 changes, 1 caused an incident, 3 failed" in "\n".join(m.value for m in at.markdown)


def test_pages_keep_the_older_model_until_the_new_ones_figures_are_stored(
        fixture_lake: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lake = tmp_path / "lake"
    shutil.copytree(fixture_lake, lake)
    before = locate(lake, LinkParams(), 0.5)
    land_events(lake, [incident("I6", "resolved", 1300, [("search", 3, 0)], 3, 1290, mitigated=1300)])
    # the rebuild's first half: the new model stored, the older one kept, no figures yet
    connect(lake, LinkParams(), 0.5, views=False, keep_older=True).close()
    assert locate(lake, LinkParams(), 0.5).status == "fresh"
    src = locate(lake, LinkParams(), 0.5, ready=prebuilt.ready(None))
    assert (src.status, src.model) == ("stale", before.model)
    monkeypatch.setenv("AFTERSHOCK_DASHBOARD_LAKE", str(lake))
    at = AppTest.from_file(str(PAGES / "incidents.py"), default_timeout=120)
    at.run()
    assert not at.exception
    assert any("refreshing" in w.value for w in at.warning)
    assert {m.label: m.value for m in at.metric}["Incidents"] == "5"  # the older model's data
    # the second half, as refresh.rebuild does it: figures, then the older model goes
    assert refresh.rebuild(lake, LinkParams(), 0.5)
    now = locate(lake, LinkParams(), 0.5, ready=prebuilt.ready(None))
    assert now.status == "fresh" and now.model != before.model
    assert before.model is not None and not before.model.exists()
    assert not list((lake / "_model").glob(f"{before.model.name}.board-*.json"))
    at.run()
    assert {m.label: m.value for m in at.metric}["Incidents"] == "6"
