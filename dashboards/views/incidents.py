"""Incidents & blast radius: how wide do incidents get, and what made them wide?"""

from __future__ import annotations

import streamlit as st

from analytics.board.incidents import incidents
from dashboards import layout
from dashboards.widgets import histogram, table

ctx = layout.start("How wide do incidents get, and what made them wide?",
                   "Impact minutes = duration x severity weight x criticality-weighted services "
                   "(dependents count less with depth). An incident with no suspect at the confidence "
                   "threshold has no credible cause.")
data = layout.cached(incidents, ctx.src, ctx.filters) if ctx else None
if data:
    s = data["summary"]
    cols = st.columns(4)
    cols[0].metric("Incidents", s["incidents"])
    cols[1].metric("Impact minutes", f"{s['impact_minutes_total']:.1f}")
    cols[2].metric("Median impact minutes",
                   "n/a" if s["impact_minutes_median"] is None else f"{s['impact_minutes_median']:.1f}")
    cols[3].metric("No credible cause", s["unlinked"], help=f"of {s['incidents']} incidents")
    st.altair_chart(histogram(data["impact_bins"], "impact minutes", "Distribution of impact minutes"))
    st.subheader("The widest incidents")
    table(data["widest"], "widest_incidents",
          ["incident_id", "title", "impact_minutes", "widened_by", "duration_minutes", "severity_weight",
           "weighted_services", "cause_kind", "cause_id", "source_refs"])
    st.subheader("Incidents with no credible cause")
    table(data["no_cause"], "incidents_without_cause",
          ["incident_id", "title", "severity", "impact_started_at", "impact_minutes", "best_suspect_kind",
           "best_suspect_id", "best_confidence", "best_methods", "source_refs"])
