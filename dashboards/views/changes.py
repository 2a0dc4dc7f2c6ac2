"""Changes & AI: which changes fail more often, and is AI attribution one of the reasons?"""

from __future__ import annotations

import streamlit as st

from analytics.board.changes import change_cells, changes_of
from analytics.board.session import teams_of
from dashboards import layout
from dashboards.widgets import bars, forest, table

LABELS = {"ai_level": "AI level", "service_name": "Service", "team": "Team", "category": "Path category",
          "strategy": "Rollout strategy"}

ctx = layout.start("Which changes fail more often, and is AI one of the reasons?",
                   "Per change: failed when it caused an incident, failed alone in a deployment, or was "
                   "reverted. Relative risk against changes with no AI involvement, stratified by "
                   "service x change size (Mantel-Haenszel), refused for groups too small to conclude.")
base = layout.cached(change_cells, ctx.src, ctx.filters.everywhere()) if ctx else None
data = changes_of(base, ctx.filters, teams_of(ctx.src)) if ctx and base else None
if data:
    dim = st.radio("Group by", list(LABELS), format_func=LABELS.__getitem__, horizontal=True, key="dim")
    rows = data["by"][dim]
    left, right = st.columns(2)
    left.altair_chart(bars(rows, dim, "rate", f"Change failure rate by {LABELS[dim].lower()}", percent=True,
                           low="low", high="high"))
    right.altair_chart(bars(rows, dim, "impact_minutes", f"Impact minutes caused by {LABELS[dim].lower()}"))
    table(rows, f"changes_by_{dim}")

    st.subheader("Relative risk against no AI involvement")
    wanted = {"ai_level": "all"}.get(dim, dim)
    risks = [r for r in data["relative_risk"] if r["dimension"] == wanted]
    shown = [r for r in risks if r["status"] == "ok"]
    if shown:
        st.altair_chart(forest(shown, "Relative risk of failure (95% interval); 1 = no difference"))
    refused = [r for r in risks if r["status"] != "ok"]
    if refused:
        st.markdown(f"{len(refused)} of {len(risks)} comparisons are too small to conclude "
                    "(reason in the table).")
    table(risks, f"relative_risk_{dim}")
