"""Render time of every dashboard page in a real browser, beside ``aftershock report`` on the
same lake, and how long a page waits while ingest keeps committing.

Run: python bench/dashboard.py --lake DIR [--runs 3] [--days 120] [--scale 9] [--seed 1]
                               [--shots DIR] [--ingest-seconds 90]

1. Without events in ``--lake`` the lake is made with ``aftershock simulate --days D --scale S
   --seed N --lake DIR`` (120 days at scale 9 is about 1M events; its size and time are printed;
   pass the same ``--lake`` again to reuse it). The stored model is built once with
   ``aftershock report --lake DIR`` when the lake's current entry has none, and the pages'
   figures over it (``analytics.board.prebuilt``) with ``python -m analytics.board.refresh DIR``,
   what the dashboard's background rebuild runs.
2. Each run: ``aftershock report`` (the baseline, a whole process) and then a fresh
   ``aftershock dashboard`` (empty caches) opened by Debian's Chromium through Playwright; per
   page the first render (navigation until the script has finished and its figures are on the
   page) in a fresh browser (empty cache: Streamlit's front end is loaded too) and again in a new
   tab of the same browser (a returning visitor: a new session, the front end cached as the
   server tells browsers to), and a filter change (one service picked in the sidebar, until the
   rerun has finished).
3. Ingest: on a copy of the lake, a thread lands a small batch with ``land_events`` every 3 s
   while the pages are opened again and again: each render's time, whether it showed the stored
   model as "refreshing" and whether it had to wait for a model ("being built"), and how many
   background rebuilds stored a model meanwhile.

Every figure is printed with the load average (``os.getloadavg``) at the time; screenshots of
every page go to ``--shots`` (default: ``dashboard-shots`` beside the lake).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
PAGES = ("overview", "changes", "incidents", "agents", "rules", "postmortem")
TARGET_S = 2.0
WAIT_MS = 600_000
LAND_EVERY_S = 3.0
BATCH = 200
DONE = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  return app && app.getAttribute('data-test-script-state') === 'notRunning'
    && document.querySelectorAll("[data-testid='stSkeleton'], [data-stale='true']").length === 0
    && document.querySelectorAll("[data-testid='stMetric'], [data-testid='stDataFrame'], "
       + "[data-testid='stAlert'], [data-testid='stException']").length > 0;
}"""
WATCH_RUNS = """() => {
  window.__runs = [];
  const app = document.querySelector("[data-testid='stApp']");
  new MutationObserver(() => window.__runs.push(app.getAttribute('data-test-script-state')))
    .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""
CONNECTED = "[data-testid='stApp'][data-test-connection-state='CONNECTED']"
STOPPED = "query stopped"  # a page stopped by the query timeout or memory cap
RERUN_DONE = "() => window.__runs.includes('running') && (" + DONE + ")()"


def say(message: str) -> None:
    print(message, flush=True)


def load() -> str:
    return "load {:.1f}/{:.1f}/{:.1f}".format(*os.getloadavg())


def aftershock(*args: str, **kw: Any) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "aftershock", *args], check=True, **kw)


def event_count(lake: Path) -> int:
    import pyarrow.parquet as pq

    from lake.manifest import snapshot
    from lake.reader import TABLES

    state = snapshot(lake)
    return sum(pq.ParquetFile(lake / p).metadata.num_rows for t in TABLES if t != "dead_letter"
               for p in state.files_of(t))


def prepare(args: argparse.Namespace) -> None:
    """Simulate the lake unless it holds events; store its model unless stored."""
    from analytics.board.source import locate
    from analytics.model import LinkParams

    lake = args.lake
    if locate(lake, LinkParams(), 0.5).status in ("missing", "empty"):
        say(f"simulating {args.days} days at scale {args.scale} into {lake} ({load()})")
        began = time.perf_counter()
        aftershock("simulate", "--days", str(args.days), "--scale", str(args.scale), "--seed",
                   str(args.seed), "--lake", str(lake))
        say(f"simulated in {time.perf_counter() - began:.0f} s ({load()})")
    files = sum(1 for _ in lake.rglob("*.parquet"))
    say(f"lake {lake}: {event_count(lake):,} events in {files:,} Parquet files")
    if locate(lake, LinkParams(), 0.5).status != "fresh":
        say(f"storing the model ({load()})")
        began = time.perf_counter()
        aftershock("report", "--lake", str(lake), stdout=subprocess.DEVNULL)
        say(f"model stored in {time.perf_counter() - began:.1f} s ({load()})")
    if not figures_stored(lake):
        say(f"storing the pages' figures ({load()})")
        began = time.perf_counter()
        subprocess.run([sys.executable, "-m", "analytics.board.refresh", str(lake)], check=True,
                       stdout=subprocess.DEVNULL)
        say(f"pages' figures stored in {time.perf_counter() - began:.1f} s ({load()})")


def figures_stored(lake: Path) -> bool:
    from analytics.board.prebuilt import path_of
    from analytics.board.source import locate
    from analytics.model import LinkParams

    found = path_of(locate(lake, LinkParams(), 0.5), None)
    return found is not None and found.exists()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def dashboard(lake: Path, log: Path) -> Iterator[str]:
    """A running ``aftershock dashboard`` on ``lake`` (its URL), stopped afterwards."""
    port = free_port()
    with log.open("ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "aftershock", "dashboard", "--lake", str(lake),
                                 "--port", str(port)], stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while not _healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the dashboard did not start; see {log}")
            time.sleep(0.3)
        yield url
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=60)


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:  # noqa: S310
            return bool(answer.status == 200)
    except OSError:
        return False


def page_url(url: str, page: str) -> str:
    return f"{url}/{'' if page == 'overview' else page}"


def first_render(tab: Any, url: str, page: str) -> tuple[float, float]:
    """Seconds until the page is rendered, and until the app was connected (the browser's part:
    loading Streamlit's front end and opening its socket)."""
    began = time.perf_counter()
    tab.goto(page_url(url, page))
    tab.wait_for_selector(CONNECTED, timeout=WAIT_MS)
    shell = time.perf_counter() - began
    tab.wait_for_function(DONE, timeout=WAIT_MS)
    return time.perf_counter() - began, shell


def filter_change(tab: Any, service: str) -> float:
    """Pick ``service`` in the sidebar's service filter; seconds until the rerun finished."""
    box = tab.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").nth(1)
    box.click()
    tab.keyboard.type(service)
    tab.get_by_role("option", name=service, exact=True).first.wait_for(timeout=WAIT_MS)
    tab.evaluate(WATCH_RUNS)
    began = time.perf_counter()
    tab.keyboard.press("Enter")
    tab.wait_for_function(RERUN_DONE, timeout=WAIT_MS)
    took = time.perf_counter() - began
    tab.keyboard.press("Escape")
    return took


def errors_on(tab: Any) -> int:
    """Error boxes shown, and one more if the page was stopped by a query limit."""
    shown = int(tab.locator("[data-testid='stException'], [data-testid='stAlertContentError']").count())
    return shown + (STOPPED in tab.inner_text("[data-testid='stMain']"))


def one_run(browser: Any, url: str, service: str, shots: Path, run: int) -> list[dict[str, Any]]:
    out = []
    for page in PAGES:
        context = browser.new_context(viewport={"width": 1400, "height": 1800})
        tab = context.new_page()
        (first, shell), at_first = first_render(tab, url, page), load()
        tab.screenshot(path=str(shots / f"{page}.png"), full_page=True)
        bad = errors_on(tab)
        again_tab = context.new_page()  # a returning visitor: cached front end, a new session
        (again, again_shell), at_again = first_render(again_tab, url, page), load()
        bad += errors_on(again_tab)
        again_tab.close()
        change, at_change = float("nan"), load()
        if not bad:  # a page showing an error has no filters to change
            change, at_change = filter_change(tab, service), load()
            tab.screenshot(path=str(shots / f"{page}-{service}.png"), full_page=True)
            bad += errors_on(tab)
        context.close()
        out.append({"page": page, "first": first, "shell": shell, "again": again,
                    "again_shell": again_shell, "change": change, "errors": bad})
        say(f"  run {run} {page:<10} first visit {first:5.2f} s (front end {shell:4.2f} s; {at_first})   "
            f"returning {again:5.2f} s (front end {again_shell:4.2f} s; {at_again})   "
            f"filter change {change:5.2f} s ({at_change}){'   ERROR OR LIMIT SHOWN' if bad else ''}")
    return out


def report_seconds(lake: Path) -> float:
    began = time.perf_counter()
    aftershock("report", "--lake", str(lake), stdout=subprocess.DEVNULL)
    return time.perf_counter() - began


def quiet_runs(args: argparse.Namespace, browser: Any, service: str) -> None:
    results, reports = [], []
    for run in range(1, args.runs + 1):
        reports.append(report_seconds(args.lake))
        say(f"run {run}: aftershock report {reports[-1]:.2f} s ({load()})")
        with dashboard(args.lake, args.shots / "dashboard.log") as url:
            results.extend(one_run(browser, url, service, args.shots, run))
    base = statistics.median(reports)
    say(f"\nmedian of {args.runs} runs (filter: service {service}); baseline aftershock report "
        f"{base:.2f} s (median); first visit = an empty browser cache (Streamlit's front end "
        "loaded too), returning = the same browser in a new tab (a new session, cached front end)")
    for page in PAGES:
        mine = [r for r in results if r["page"] == page]
        med = {k: statistics.median(r[k] for r in mine) for k in ("first", "shell", "again", "change")}
        worst_returning = max(max(r["again"], r["change"]) for r in mine)
        worst_first = max(r["first"] for r in mine)
        flag = "within" if worst_returning < TARGET_S else "OVER"
        errors = sum(r["errors"] for r in mine)
        say(f"  {page:<10} first visit {med['first']:5.2f} s (front end {med['shell']:.2f} s; worst "
            f"{worst_first:.2f} s)   returning {med['again']:5.2f} s ({med['again'] / base:.2f}x report)   "
            f"change {med['change']:5.2f} s ({med['change'] / base:.2f}x report)   returning and change "
            f"{flag} {TARGET_S:g} s (worst {worst_returning:.2f} s)"
            f"{f'   {errors} error/limit shown' if errors else ''}")


class Lander(threading.Thread):
    """Lands ``BATCH`` new events in ``lake`` every ``LAND_EVERY_S`` seconds until stopped."""

    def __init__(self, lake: Path, seed: int) -> None:
        super().__init__(name="lander", daemon=True)
        self.lake, self.seed = lake, seed
        self.stop = threading.Event()
        self.commits = 0

    def run(self) -> None:
        from ingest.backfill import land_events
        from schemas.event import parse_obj
        from simulator.effects import load_effects
        from simulator.world import new_context, simulate

        events = simulate(new_context(load_effects(None), self.seed, 30))
        while not self.stop.wait(LAND_EVERY_S):
            land_events(self.lake, [parse_obj(next(events)) for _ in range(BATCH)])
            self.commits += 1


def ingest_run(args: argparse.Namespace, browser: Any) -> None:
    from analytics.board import refresh

    copy = args.lake.parent / f"{args.lake.name}-ingest"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(args.lake, copy)
    lander = Lander(copy, args.seed + 1000)
    renders: list[dict[str, Any]] = []
    say(f"\ningest: {BATCH} events landed every {LAND_EVERY_S:g} s in {copy} for "
        f"{args.ingest_seconds} s while the pages render")
    with dashboard(copy, args.shots / "dashboard-ingest.log") as url:
        lander.start()
        context = browser.new_context(viewport={"width": 1400, "height": 1800})
        tab = context.new_page()
        deadline = time.monotonic() + args.ingest_seconds
        while time.monotonic() < deadline:
            for page in PAGES:
                took = first_render(tab, url, page)[0]
                text = tab.inner_text("[data-testid='stMain']")
                renders.append({"page": page, "s": took, "stale": "refreshing" in text,
                                "waited": "is being built" in text, "failed": "model failed" in text,
                                "stopped": STOPPED in text})
                shown = "stale, refreshing" if renders[-1]["stale"] else "fresh"
                say(f"  {page:<10} {took:6.2f} s  {shown:<17} ({load()}, {lander.commits} commits)")
        tab.screenshot(path=str(args.shots / "ingest-last.png"), full_page=True)
        context.close()
        lander.stop.set()
        lander.join()
    stored = (copy / "_model" / refresh.LOG_NAME).read_text(errors="replace").count("model stored")
    times = [r["s"] for r in renders]
    say(f"ingest: {len(renders)} renders during {lander.commits} commits: "
        f"median {statistics.median(times):.2f} s, "
        f"max {max(times):.2f} s; {sum(r['stale'] for r in renders)} showed the stored model as "
        f"'refreshing', {sum(r['waited'] for r in renders)} waited for a model, "
        f"{sum(r['failed'] for r in renders)} said a rebuild failed, "
        f"{sum(r['stopped'] for r in renders)} were stopped by a query limit; {stored} background rebuilds "
        f"stored a model ({load()})")
    shutil.rmtree(copy, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lake", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--scale", type=float, default=9.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--shots", type=Path)
    parser.add_argument("--ingest-seconds", type=int, default=90, help="0 skips the ingest part")
    args = parser.parse_args()
    args.lake = args.lake.resolve()
    args.shots = (args.shots or args.lake.parent / "dashboard-shots").resolve()
    args.shots.mkdir(parents=True, exist_ok=True)
    if not CHROMIUM.is_file():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install -y chromium")
    prepare(args)
    from playwright.sync_api import sync_playwright

    from analytics.board.session import options
    from analytics.board.source import locate
    from analytics.model import LinkParams

    service = options(locate(args.lake, LinkParams(), 0.5))["services"][0]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        if args.runs:
            quiet_runs(args, browser, service)
        if args.ingest_seconds:
            ingest_run(args, browser)
        browser.close()
    say(f"screenshots: {args.shots}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
