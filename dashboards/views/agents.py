"""Agents & guardrails: do the guardrails on agent actions and changes hold?"""

from __future__ import annotations

import streamlit as st

from analytics.board.agents import agents
from dashboards import layout
from dashboards.widgets import bars, pct, proportion_help, table

ctx = layout.start("Do the guardrails on agents hold?",
                   "A guardrail violation is a destructive agent action that was executed (not denied, "
                   "not blocked) without a second human authorization.")
data = layout.cached(agents, ctx.src, ctx.filters) if ctx else None
if data:
    s = data["summary"]
    cols = st.columns(4)
    cols[0].metric("Agent actions", s["actions"])
    cols[1].metric("Destructive", s["destructive"], help=f"{s['destructive_executed']} executed")
    cols[2].metric("Executed without 2nd authorization", pct(s["without_second_authorization"]),
                   help=proportion_help(s["without_second_authorization"]))
    cols[3].metric("Incidents traced to agents", s["incidents_traced"])
    st.altair_chart(bars(data["tiers"], "consequence_tier", "actions",
                         "Actions by consequence tier and decision", color="decision"))
    table(data["tiers"], "actions_by_tier")
    st.subheader("Destructive actions and their authorization")
    table(data["destructive"], "destructive_actions")
    st.subheader("Agents ranked by risk")
    table(data["agents"], "agents_ranked")
    st.subheader("Incidents traced to agent actions")
    table(data["incidents"], "agent_incidents")
    st.subheader("Gate decisions and the changes they judged")
    if data["gate_decisions"]:
        table(data["gate_decisions"], "gate_decisions")
    else:
        st.markdown("The lake holds no gate decision on a change in this selection.")
