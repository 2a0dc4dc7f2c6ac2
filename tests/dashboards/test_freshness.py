"""A lake that moved on: pages show the newest stored model with "data as of ..., refreshing",
one background rebuild (a separate process holding a lock file) stores the current one, and the
pages then show the new data. Nothing is built inside a page render."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from aftershock.settings import memory_size
from analytics.board import refresh
from analytics.board.source import locate
from analytics.model import LinkParams
from ingest.backfill import land_events
from tests.analytics.fixture import incident
from tests.dashboards.conftest import PAGES

WAIT_SECONDS = 300  # how long a rebuild of the tiny lake may take on a loaded machine


@pytest.fixture()
def moved_lake(fixture_lake: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    lake = tmp_path / "lake"
    shutil.copytree(fixture_lake, lake)
    land_events(lake, [incident("I6", "resolved", 1300, [("search", 3, 0)], 3, 1290, mitigated=1300)])
    monkeypatch.setenv("AFTERSHOCK_DASHBOARD_LAKE", str(lake))
    return lake


def wait_for_rebuild(lake: Path) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if locate(lake, LinkParams(), 0.5).status == "fresh" and not refresh.running(lake):
            return
        time.sleep(0.5)
    log = (lake / "_model" / refresh.LOG_NAME).read_text(errors="replace")
    raise AssertionError(f"no fresh model after {WAIT_SECONDS} s; rebuild log:\n{log}")


def test_a_stale_model_is_shown_while_one_rebuild_runs_in_the_background(moved_lake: Path) -> None:
    before = locate(moved_lake, LinkParams(), 0.5)
    assert before.status == "stale" and before.model_seq is not None and before.model_seq < before.seq
    at = AppTest.from_file(str(PAGES / "incidents.py"), default_timeout=120)
    at.run()
    assert not at.exception
    assert any("refreshing" in w.value and "Data as of" in w.value for w in at.warning)
    assert {m.label: m.value for m in at.metric}["Incidents"] == "5"  # the stored model's data
    wait_for_rebuild(moved_lake)
    assert "model stored" in (moved_lake / "_model" / refresh.LOG_NAME).read_text()
    at = AppTest.from_file(str(PAGES / "incidents.py"), default_timeout=120)
    at.run()
    assert not at.warning
    assert {m.label: m.value for m in at.metric}["Incidents"] == "6"


def test_only_one_rebuild_runs_at_a_time(moved_lake: Path) -> None:
    (moved_lake / "_model").mkdir(exist_ok=True)
    fd = os.open(refresh.lock_path(moved_lake), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        assert refresh.running(moved_lake)
        assert refresh.start(moved_lake, LinkParams(), 0.5) is False
        assert refresh.rebuild(moved_lake, LinkParams(), 0.5) is False
        assert locate(moved_lake, LinkParams(), 0.5).status == "stale"
    finally:
        os.close(fd)
    assert not refresh.running(moved_lake)
    assert refresh.start(moved_lake, LinkParams(), 0.5) is True
    wait_for_rebuild(moved_lake)


def test_a_lake_without_any_stored_model_says_it_is_being_built(fixture_lake: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    lake = tmp_path / "lake"
    shutil.copytree(fixture_lake, lake, ignore=shutil.ignore_patterns("_model"))
    monkeypatch.setenv("AFTERSHOCK_DASHBOARD_LAKE", str(lake))
    at = AppTest.from_file(str(PAGES / "overview.py"), default_timeout=120)
    at.run()
    assert not at.exception and not at.metric
    assert any("is being built" in i.value for i in at.info)
    wait_for_rebuild(lake)


def test_a_failed_rebuild_is_shown_on_the_page_with_its_log(moved_lake: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # the rebuild process inherits a setting it refuses: model digests kept inside the lake
    monkeypatch.setenv("AFTERSHOCK_LAKE__ANCHOR_DIR", str(moved_lake / "anchors"))
    assert refresh.start(moved_lake, LinkParams(), 0.5) is True
    deadline = time.monotonic() + WAIT_SECONDS
    while refresh.failure(moved_lake) is None and time.monotonic() < deadline:
        time.sleep(0.5)
    failed = refresh.failure(moved_lake)
    assert failed is not None, (moved_lake / "_model" / refresh.LOG_NAME).read_text()
    assert failed.seq == locate(moved_lake, LinkParams(), 0.5).seq
    assert refresh.start(moved_lake, LinkParams(), 0.5) is False  # not retried for the same entry
    at = AppTest.from_file(str(PAGES / "incidents.py"), default_timeout=120)
    at.run()
    assert not at.exception
    [shown] = [e.value for e in at.error]
    assert "rebuild of the analytics model failed" in shown
    assert failed.message in shown and str(moved_lake / "_model" / refresh.LOG_NAME) in shown
    assert not any("refreshing" in w.value for w in at.warning)
    assert {m.label: m.value for m in at.metric}["Incidents"] == "5"  # the stored model's data


def test_the_rebuild_is_not_held_to_a_page_s_memory_limit(moved_lake: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # a page's session may use 1 MB here; the background rebuild (one at a time) has its own
    # limit, BUILD_MEMORY_SHARE of the machine, so it still stores the pages' figures
    monkeypatch.setenv("AFTERSHOCK_QUERY__MEMORY_LIMIT", "1MB")
    done = subprocess.run([sys.executable, "-m", "analytics.board.refresh", str(moved_lake)],
                          capture_output=True, text=True, check=False, timeout=WAIT_SECONDS)
    assert done.returncode == 0, done.stdout + done.stderr
    assert refresh.failure(moved_lake) is None
    assert locate(moved_lake, LinkParams(), 0.5).status == "fresh"
    assert memory_size(refresh.build_memory_limit()).endswith("MiB")
