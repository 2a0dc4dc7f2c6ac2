"""Display helpers: figures with numerator/denominator and interval, tables with a CSV download,
and Altair charts over plain rows (no SQL, no connection)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import altair as alt
import streamlit as st

from analytics.report import table_csv


def plain(value: Any) -> Any:
    """A value Altair and CSV take as is (dates as ISO text, tuples as text)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return value


def plain_rows(rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None) -> list[dict[str, Any]]:
    keys = list(columns) if columns else (list(rows[0]) if rows else [])
    return [{k: plain(r.get(k)) for k in keys} for r in rows]


def frame(rows: Sequence[dict[str, Any]]) -> Any:
    """Chart data as a table Streamlit sends beside the chart's spec (in Arrow), not inside it:
    Altair then validates a spec without the rows (validating thousands of inline rows took
    seconds per chart)."""
    import pandas as pd  # only on pages that draw

    return pd.DataFrame(list(rows))


def table(rows: Sequence[dict[str, Any]], name: str, columns: Sequence[str] | None = None) -> None:
    """The rows as a table with a "Download CSV" button (every table of the dashboard has one)."""
    shown = plain_rows(rows, columns)
    keys = list(columns) if columns else (list(shown[0]) if shown else [])
    if shown:
        st.dataframe(shown, hide_index=True)
    else:
        st.write("No rows for this selection.")
    st.download_button("Download CSV", table_csv(keys, [tuple(r[k] for k in keys) for r in shown]),
                       file_name=f"{name}.csv", mime="text/csv", key=f"csv_{name}")


def pct(figure: dict[str, Any]) -> str:
    return "n/a" if figure["rate"] is None else f"{figure['rate']:.1%}"


def proportion_help(figure: dict[str, Any]) -> str:
    """'5/10, 95% 23.7%-76.3%' (or the counts alone when there is no interval)."""
    counts = f"{figure['numerator']}/{figure['denominator']}"
    if figure["interval"] is None:
        return counts
    lo, hi = figure["interval"]
    return f"{counts}, 95% {lo:.1%}-{hi:.1%}"


def minutes_value(figure: dict[str, Any]) -> str:
    return "n/a" if figure["median_minutes"] is None else f"{figure['median_minutes']:.0f} min"


def minutes_help(figure: dict[str, Any]) -> str:
    interval = figure["interval"]
    ci = f"95% {interval[0]:.0f}-{interval[1]:.0f} min" if interval else "too few for a 95% interval"
    return f"median of {figure['n']}/{figure['denominator']}, {ci}"


def line(rows: list[dict[str, Any]], x: str, y: str, title: str, y_title: str | None = None,
         color: str | None = None, percent: bool = False) -> alt.Chart:
    data = frame(plain_rows(rows))
    axis = alt.Axis(format="%") if percent else alt.Axis()
    enc: dict[str, Any] = {"x": alt.X(f"{x}:T", title=None),
                           "y": alt.Y(f"{y}:Q", title=y_title or y, axis=axis),
                           "tooltip": [alt.Tooltip(f"{x}:T"), alt.Tooltip(f"{y}:Q", format=".3")]}
    if color:
        enc["color"] = alt.Color(f"{color}:N")
    return alt.Chart(data, title=title).mark_line(point=True).encode(**enc)


def band(rows: list[dict[str, Any]], x: str, y: str, low: str, high: str, title: str) -> alt.LayerChart:
    """A rate over time with its 95 % interval as a band."""
    data = frame(plain_rows(rows))
    base = alt.Chart(data, title=title).encode(x=alt.X(f"{x}:T", title=None))
    area = base.mark_area(opacity=0.25).encode(y=alt.Y(f"{low}:Q", axis=alt.Axis(format="%"), title=y),
                                               y2=f"{high}:Q")
    return area + base.mark_line(point=True).encode(
        y=f"{y}:Q", tooltip=[alt.Tooltip(f"{x}:T"), alt.Tooltip(f"{y}:Q", format=".1%")])


def bars(rows: list[dict[str, Any]], x: str, y: str, title: str, color: str | None = None,
         percent: bool = False, low: str | None = None,
         high: str | None = None) -> alt.Chart | alt.LayerChart:
    """Bars of ``y`` per ``x`` (with error bars from ``low`` to ``high`` when given)."""
    data = frame(plain_rows(rows))
    axis = alt.Axis(format="%") if percent else alt.Axis()
    enc: dict[str, Any] = {"x": alt.X(f"{x}:N", sort=None, title=None), "y": alt.Y(f"{y}:Q", axis=axis),
                           "tooltip": [f"{k}:{'N' if k in (x, color) else 'Q'}" for k in (x, y, color) if k]}
    if color:
        enc["color"] = alt.Color(f"{color}:N")
    chart = alt.Chart(data, title=title).mark_bar().encode(**enc)
    if low and high:
        return chart + alt.Chart(data).mark_errorbar().encode(x=alt.X(f"{x}:N", sort=None),
                                                              y=alt.Y(f"{low}:Q", title=y), y2=f"{high}:Q")
    return chart


def forest(rows: list[dict[str, Any]], title: str) -> alt.LayerChart:
    """Relative risk point and 95 % interval per row (log scale), a rule at 1."""
    data = frame(plain_rows([r | {"label": f"{r['group']} / {r['ai_level']}"} for r in rows]))
    y = alt.Y("label:N", sort=None, title=None)
    x = alt.X("rr:Q", scale=alt.Scale(type="log"), title="relative risk vs none (95% interval)")
    points = alt.Chart(data, title=title).mark_point(filled=True).encode(
        x=x, y=y, tooltip=["label:N", alt.Tooltip("rr:Q", format=".2f"), alt.Tooltip("low:Q", format=".2f"),
                           alt.Tooltip("high:Q", format=".2f"), "exposed_changes:Q", "reference_changes:Q"])
    ranges = alt.Chart(data).mark_rule().encode(x="low:Q", x2="high:Q", y=y)
    one = alt.Chart(frame([{"one": 1}])).mark_rule(strokeDash=[4, 4]).encode(x="one:Q")
    return ranges + points + one


def histogram(bins: list[dict[str, Any]], label: str, title: str) -> alt.Chart:
    """Bars over binned counts (``low``, ``high``, ``incidents``), binned by the analytics."""
    return alt.Chart(frame(bins), title=title).mark_bar().encode(
        x=alt.X("low:Q", title=label), x2="high:Q", y=alt.Y("incidents:Q", title="incidents"),
        tooltip=["low:Q", "high:Q", "incidents:Q"])
