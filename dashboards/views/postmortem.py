"""Postmortem explorer: what caused this incident, and how wide did it get?"""

from __future__ import annotations

import altair as alt
import streamlit as st

from analytics.board.explorer import choices, explore
from dashboards import layout
from dashboards.widgets import frame, plain_rows, table

ctx = layout.start("What caused this incident?",
                   "Pick an incident or paste its id (ours, or the paging tool's such as a PagerDuty id): "
                   "its timeline, blast radius and ranked suspects with their evidence.")
found = layout.cached(choices, ctx.src, ctx.filters) if ctx else None
if ctx and found is not None:
    labels = {r["incident_id"]: f"{r['incident_id']} - {r['title']} (sev {r['severity']}, "
              f"{r['impact_minutes'] or 0:.1f} impact min)" for r in found["incidents"]}
    shown = "" if len(labels) == found["total"] else f", the {len(labels)} widest of {found['total']}"
    picked = st.selectbox(f"Incident (widest first{shown})", list(labels), format_func=labels.__getitem__,
                          index=0 if labels else None, key="incident")
    pasted = st.text_input("or paste an incident id or source id", key="pasted").strip()
    wanted = pasted or picked
    pm = layout.cached(explore, ctx.src, wanted) if wanted else None
    if pm:
        inc = pm["incident"]
        st.subheader(f"{inc['incident_id']}: {inc['title']}")
        cols = st.columns(4)
        cols[0].metric("Severity", inc["severity"])
        cols[1].metric("Impact minutes",
                       "open" if inc["impact_minutes"] is None else f"{inc['impact_minutes']:.1f}")
        cols[2].metric("Services", inc["services"],
                       help=f"max dependency depth {inc['max_dependency_depth']}")
        cols[3].metric("Users affected", inc["users_affected"] or 0)
        st.caption(f"impact {inc['impact_started_at']} .. {inc['ended_at']}; source ids "
                   f"{', '.join(inc['source_refs'] or []) or 'none'}")
        st.subheader("Ranked suspects")
        for s in pm["suspects"]:
            links = " ".join(f"[source]({u})" for u in s["links"])
            st.markdown(f"**{s['rank']}. {s['suspect_kind']} {s['suspect_id']}** confidence "
                        f"{s['confidence']:.2f} ({', '.join(s['methods'])}) {links}")
            st.markdown("\n".join(f"  - {e}" for e in s["evidence"]))
        if not pm["suspects"]:
            st.markdown("No suspect: nothing recorded touched the affected services in the window.")
        table(pm["suspects"], f"suspects_{inc['incident_id']}",
              ["rank", "suspect_kind", "suspect_id", "confidence", "methods", "evidence", "deployment_id",
               "commit_shas", "pull_request", "source_url", "ai_level", "session_id", "source_refs"])
        st.subheader(f"Timeline ({pm['window_minutes']} min before impact)")
        if pm["timeline"]:
            st.altair_chart(alt.Chart(frame(plain_rows(pm["timeline"])), title="What happened when")
                            .mark_point(filled=True, size=80)
                            .encode(x=alt.X("at:T"), y=alt.Y("kind:N"), color="service_name:N",
                                    tooltip=["at:T", "kind:N", "service_name:N", "ref:N", "what:N"]))
        table(pm["timeline"], f"timeline_{inc['incident_id']}")
