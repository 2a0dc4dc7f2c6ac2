"""Overview: are AI-assisted changes and agents hurting reliability, and do the guardrails hold?"""

from __future__ import annotations

import streamlit as st

from analytics.board.overview import overview
from dashboards import layout
from dashboards.widgets import band, bars, line, minutes_help, minutes_value, pct, proportion_help, table

ctx = layout.start("Are AI-assisted changes and agents hurting reliability?",
                   "The DORA five over time, failure and recovery by AI attribution, blast radius, "
                   "guardrail violations and how many incidents have a linked cause.")
data = layout.cached(overview, ctx.src, ctx.filters) if ctx else None
if data:
    h = data["headline"]
    freq = h["deployment_frequency"]
    cols = st.columns(4)
    cols[0].metric("Deployment frequency", f"{freq['rate']:.2f}/day",
                   help=f"{freq['numerator']} deployments / {freq['denominator']:.2f} days, 95% "
                   f"{freq['interval'][0]:.2f}-{freq['interval'][1]:.2f}/day")
    cols[1].metric("Change failure rate", pct(h["change_failure_rate"]),
                   help=proportion_help(h["change_failure_rate"]))
    cols[2].metric("Lead time (median)", minutes_value(h["lead_time_for_changes"]),
                   help=minutes_help(h["lead_time_for_changes"]))
    cols[3].metric("Recovery time (median)", minutes_value(h["failed_deployment_recovery_time"]),
                   help=minutes_help(h["failed_deployment_recovery_time"]))
    cols = st.columns(4)
    cols[0].metric("Rework rate", pct(h["deployment_rework_rate"]),
                   help=proportion_help(h["deployment_rework_rate"]))
    cols[1].metric("Linking coverage", pct(h["linking_coverage"]),
                   help="incidents with a linked cause: " + proportion_help(h["linking_coverage"]))
    cols[2].metric("Destructive actions without 2nd authorization", pct(h["guardrail_violations"]),
                   help="of executed destructive agent actions: "
                   + proportion_help(h["guardrail_violations"]))
    cols[3].metric("Impact minutes", f"{h['impact_minutes']:.1f}",
                   help="sum over incidents of duration x severity weight x weighted services")
    st.markdown(" | ".join([
        f"**CFR** {proportion_help(h['change_failure_rate'])}",
        f"**rework** {proportion_help(h['deployment_rework_rate'])}",
        f"**linked** {proportion_help(h['linking_coverage'])}",
        f"**unguarded destructive** {proportion_help(h['guardrail_violations'])}"]))
    for note in data["notes"]:
        st.markdown(f"- {note}")

    st.subheader("The DORA five, week by week")
    weekly = data["weekly"]
    left, right = st.columns(2)
    left.altair_chart(line(weekly, "week", "deployments_per_day", "Deployments per day"))
    right.altair_chart(band(weekly, "week", "change_failure_rate", "cfr_low", "cfr_high",
                            "Change failure rate (95% interval)"))
    left.altair_chart(line(weekly, "week", "lead_time_median", "Lead time, median minutes"))
    right.altair_chart(line(weekly, "week", "recovery_median", "Recovery time, median minutes"))
    left.altair_chart(line(weekly, "week", "rework_rate", "Rework rate", percent=True))
    right.altair_chart(line(weekly, "week", "impact_minutes", "Blast radius: impact minutes"))
    left.altair_chart(line(weekly, "week", "guardrail_violations",
                           "Destructive agent actions without a second authorization"))
    right.altair_chart(line(weekly, "week", "linking_coverage", "Linking coverage", percent=True))
    table(weekly, "weekly")

    st.subheader("By AI attribution level")
    ai = [r | {"low": r["interval"][0] if r["interval"] else None,
               "high": r["interval"][1] if r["interval"] else None} for r in data["ai"]]
    left, right = st.columns(2)
    left.altair_chart(bars(ai, "ai_level", "rate", "Change failure rate per change", percent=True,
                           low="low", high="high"))
    right.altair_chart(bars(ai, "ai_level", "recovery_minutes_median",
                            "Recovery of the incidents they caused, median minutes"))
    for r in data["ai"]:
        if r["note"]:
            st.markdown(f"- {r['note']}")
    table(ai, "by_ai_level", ["ai_level", "numerator", "denominator", "rate", "low", "high", "rr",
                              "rr_interval", "rr_note", "incidents", "impact_minutes_total",
                              "recovery_minutes_median"])
