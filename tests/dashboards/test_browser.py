"""A real browser: Debian's Chromium (headless, through Playwright) opens every page of a running
``aftershock dashboard`` on loopback, waits for it to render, checks that no error box is shown
and that key numbers appear, changes a filter, and saves a screenshot per page. Without Chromium
the test fails with the reason."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
PAGES = {  # url path -> a number the page must show on the hand-checked lake
    "overview": "6/10", "changes": "4 of 4 comparisons", "incidents": "59.2", "agents": "50.0%",
    "rules": "7 changes", "postmortem": "payments@b2"}
START_SECONDS = 120


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture()
def dashboard(fixture_lake: Path, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    log = (tmp_path / "dashboard.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "aftershock", "dashboard", "--lake", str(fixture_lake),
                             "--port", str(port)], stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:  # noqa: S310
                    if answer.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("the dashboard did not start: "
                                         + (tmp_path / "dashboard.log").read_text()) from None
                time.sleep(0.5)
        yield url
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)
        log.close()


def test_every_page_renders_in_chromium(dashboard: str, tmp_path: Path) -> None:
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; "
                    "./scripts/test does it when run as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1800})
        for path, number in PAGES.items():
            page.goto(f"{dashboard}/{'' if path == 'overview' else path}")  # the default page is /
            page.get_by_text(number).first.wait_for(timeout=90_000)
            page.wait_for_selector("[data-testid='stStatusWidget']", state="detached", timeout=90_000)
            page.wait_for_function("document.querySelectorAll('[data-testid=\"stSkeleton\"]').length === 0",
                                   timeout=90_000)
            assert page.locator("[data-testid='stException']").count() == 0, path
            assert page.locator("[data-testid='stAlertContentError']").count() == 0, path
            assert page.locator("[role='dialog']").count() == 0, path  # e.g. "Page not found"
            page.screenshot(path=str(tmp_path / f"{path}.png"), full_page=True)
        page.goto(f"{dashboard}/?service=search")
        page.get_by_text("2/2").first.wait_for(timeout=90_000)
        assert "service=search" in page.url
        # the filters persist across pages
        page.locator("[data-testid='stSidebarNavLink']", has_text="Incidents").first.click()
        page.get_by_text("No credible cause").first.wait_for(timeout=90_000)
        page.wait_for_url("**/incidents?*service=search*", timeout=90_000)
        page.screenshot(path=str(tmp_path / "incidents-search.png"), full_page=True)
        browser.close()
    assert sorted(p.name for p in tmp_path.glob("*.png")) == sorted(
        [f"{p}.png" for p in PAGES] + ["incidents-search.png"])
