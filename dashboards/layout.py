"""What every page shares: the lake, the filters (sidebar widgets, kept in the session and in the
URL), the freshness of the stored model, and loading a page's figures from ``analytics.board``
(cached per model snapshot and filters; a known error shows as a note, not a stack trace)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import streamlit as st

from aftershock.errors import AftershockError
from aftershock.settings import IngestSettings, QuerySettings
from analytics.board import prebuilt, refresh
from analytics.board.filters import DEFAULT_ENVIRONMENT, Filters
from analytics.board.session import options
from analytics.board.source import Source, locate
from analytics.model import LinkParams
from dashboards.commands import LAKE_ENV, RULES_ENV
from lake.options import lake_argument

MIN_CONFIDENCE = prebuilt.MIN_CONFIDENCE
WATCH_SECONDS = 5
KEYS = ("since", "until", "service", "team", "env")


@dataclass(frozen=True)
class Context:
    src: Source
    filters: Filters


def lake_dir() -> Path | str:
    """The lake the dashboard shows (``aftershock dashboard --lake``, else AFTERSHOCK_LAKE__DIR):
    a folder, or an ``s3://`` URL."""
    if os.environ.get(LAKE_ENV):
        return lake_argument(os.environ[LAKE_ENV])
    from aftershock.settings import load_settings

    return load_settings().lake.dir


def query_limits() -> QuerySettings:
    """The timeout and memory cap of every page's queries (AFTERSHOCK_QUERY__TIMEOUT_S, ...)."""
    from aftershock.settings import load_settings

    return load_settings().query


def ingest_window() -> IngestSettings:
    """The plausible window for timestamps (AFTERSHOCK_INGEST__TIMESTAMP_MAX_*), as the report's."""
    from aftershock.settings import load_settings

    return load_settings().ingest


def rules_file() -> Path | None:
    value = os.environ.get(RULES_ENV)
    return Path(value) if value else None


def start(title: str, caption: str) -> Context | None:
    """Title, sidebar filters and data status; None when the page has nothing to show yet."""
    st.title(title)
    st.caption(caption)
    store = _store()
    lake = lake_dir()
    try:
        src = locate(lake, LinkParams(environment=store["env"] or DEFAULT_ENVIRONMENT), MIN_CONFIDENCE,
                     query_limits(), prebuilt.ready(rules_file()), ingest_window())
    except AftershockError as exc:  # e.g. a lake on object storage that cannot be read
        st.error(str(exc))
        return None
    if src.status in ("missing", "empty"):
        _how_to_load(lake, src.status)
        return None
    failed = None
    figures = prebuilt.path_of(src, rules_file())
    if src.status != "fresh" or (figures is not None and not figures.exists()):
        refresh.start(lake, src.params, src.min_confidence, rules_file())
        failed = refresh.failure(lake)
        if failed is not None:
            _rebuild_failed(failed)
        _watch(_watch_key(src))
    if src.model is None:
        if failed is None:
            st.info(f"The analytics model of {lake} is being built (a first build takes a while on a "
                    "large lake); this page fills in by itself when it is ready.")
        return None
    offered = cached(options, src, key=src.model_key)  # the filters' choices: per model is enough
    if offered is None:
        return None
    filters = _sidebar(store, offered)
    as_of = f"{src.model_at:%Y-%m-%d %H:%M:%S} UTC" if src.model_at else "unknown"
    if src.status == "stale" and failed is None:
        st.warning(f"Data as of {as_of} (manifest entry {src.model_seq} of {src.seq}), refreshing: "
                   "newer data is being modelled in the background.")
    else:
        st.caption(f"Data as of {as_of} (manifest entry {src.model_seq}), lake {lake}")
    return Context(src, filters)


def _rebuild_failed(failed: refresh.Failure) -> None:
    st.error(f"The background rebuild of the analytics model failed (manifest entry {failed.seq}, "
             f"{failed.at:%Y-%m-%d %H:%M:%S} UTC): {failed.message}. Its log: {failed.log}. "
             "This page shows the newest stored model, if any; the rebuild is tried again when new "
             "data is committed.")


def _how_to_load(lake: Path | str, status: str) -> None:
    what = "does not exist" if status == "missing" else "holds no committed events yet"
    st.info(f"The lake {lake} {what}. Load data, then reload this page:\n\n"
            f"- a simulated organisation: `aftershock simulate --days 14 --seed 1 --lake {lake}`\n"
            f"- events from Kafka: `aftershock ingest run --lake {lake}`\n"
            f"- a tool's native export: `aftershock import --help`\n\n"
            "or open another lake with `aftershock dashboard --lake DIR`.")


@st.fragment(run_every=WATCH_SECONDS)
def _watch(key: str) -> None:
    """Rerun the page once the rebuild stored a newer model (not at every commit: the page keeps
    the figures of its last render meanwhile)."""
    store = _store()
    now = locate(lake_dir(), LinkParams(environment=store["env"] or DEFAULT_ENVIRONMENT), MIN_CONFIDENCE,
                 ready=prebuilt.ready(rules_file()))
    if _watch_key(now) != key:
        st.rerun()


def _watch_key(src: Source) -> str:
    """Changes when a newer model is stored, or the pages' figures over it."""
    figures = prebuilt.path_of(src, rules_file())
    return f"{src.model_key}|{figures is not None and figures.exists()}"


def _store() -> dict[str, Any]:
    """The filter values of this session; first taken from the URL."""
    if "filters" not in st.session_state:
        qp = st.query_params
        st.session_state["filters"] = {
            "since": _day(qp.get("since")), "until": _day(qp.get("until")),
            "service": qp.get_all("service"), "team": qp.get_all("team"),
            "env": qp.get("env") or DEFAULT_ENVIRONMENT}
    store: dict[str, Any] = st.session_state["filters"]
    return store


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _copy(name: str) -> None:
    st.session_state["filters"][name] = st.session_state[f"w_{name}"]


def _sidebar(store: dict[str, Any], offered: dict[str, Any]) -> Filters:
    side = st.sidebar
    side.header("Filters")
    first, last = offered["since"], offered["until"]
    bounds = {"min_value": first.date(), "max_value": last.date()} if first and last else {}
    side.date_input("From (UTC day)", value=store["since"], key="w_since", on_change=_copy,
                    args=("since",), **bounds)
    side.date_input("To (UTC day, included)", value=store["until"], key="w_until", on_change=_copy,
                    args=("until",), **bounds)
    teams = sorted(set(offered["teams"].values()))
    side.multiselect("Team", teams, default=[t for t in store["team"] if t in teams], key="w_team",
                     on_change=_copy, args=("team",))
    services = offered["services"]
    side.multiselect("Service", services, default=[s for s in store["service"] if s in services],
                     key="w_service", on_change=_copy, args=("service",))
    envs = offered["environments"] or [DEFAULT_ENVIRONMENT]
    side.selectbox("Environment", envs, index=envs.index(store["env"]) if store["env"] in envs else 0,
                   key="w_env", on_change=_copy, args=("env",))
    _to_url(store)
    return Filters(since=store["since"], until=store["until"], services=tuple(store["service"]),
                   teams=tuple(store["team"]), environment=store["env"])


def _to_url(store: dict[str, Any]) -> None:
    params: dict[str, Any] = {"env": store["env"]}
    for key in ("since", "until"):
        if store[key]:
            params[key] = store[key].isoformat()
    for key in ("service", "team"):
        if store[key]:
            params[key] = list(store[key])
    if {k: st.query_params.get_all(k) for k in KEYS} != {
            k: [params[k]] if isinstance(params.get(k), str) else params.get(k, []) for k in KEYS}:
        st.query_params.from_dict(params)


def cached(fn: Callable[..., Any], src: Source, *args: Any, key: str | None = None) -> Any:
    """``fn(src, *args)``: as stored by the background rebuild (:mod:`analytics.board.prebuilt`)
    when it stored it, else computed now and cached per lake snapshot and model (or ``key``) and
    arguments; None (and the message shown) when it raises a known error such as an empty
    selection, or when it is one only the background rebuild computes."""
    found, value = prebuilt.lookup(_figures(src), fn, args)
    if found:
        return value
    if prebuilt.background_only(fn, src, args, rules_file()):
        st.info("The risk rules' backtest and tuned proposal for the whole period are being computed "
                "in the background (every change scored several times); this page fills in by itself "
                "when they are ready.")
        return None
    try:
        return _run(f"{fn.__module__}.{fn.__qualname__}", key or src.key, fn, src, *args)
    except AftershockError as exc:
        st.info(str(exc))
        return None


def stored(fn: Callable[..., Any], src: Source, *args: Any) -> tuple[bool, Any]:
    """(True, ``fn(src, *args)`` as the background rebuild stored it), or (False, None)."""
    found: tuple[bool, Any] = prebuilt.lookup(_figures(src), fn, args)
    return found


def _figures(src: Source) -> dict[str, Any] | None:
    """The stored figures of ``src``'s model for the rules file in use (read once per process)."""
    path = prebuilt.path_of(src, rules_file())
    if path is None or not path.exists():
        return None
    found = _load_figures(str(path), src)
    if found is None:  # not vouched for (yet): read it again next time
        _load_figures.clear()
    return found


@st.cache_resource(max_entries=8, show_spinner=False)
def _load_figures(path: str, _src: Source) -> dict[str, Any] | None:
    del path  # the cache key: the file's name names its model and rules
    return prebuilt.load(_src, rules_file())


@st.cache_data(show_spinner="Computing...", max_entries=256)
def _run(name: str, key: str, _fn: Callable[..., Any], _src: Source, *args: Any) -> Any:
    del name, key  # the cache key
    return _fn(_src, *args)
