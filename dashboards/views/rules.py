"""Risk rules: do the risk rules flag the changes that cause incidents?"""

from __future__ import annotations

import altair as alt
import streamlit as st

from analytics.board.rules import caught_at, period_of, rules_board, rules_history, rules_page, what_if_of
from dashboards import layout
from dashboards.widgets import frame, plain_rows, table

ctx = layout.start("Do the risk rules flag the changes that cause incidents?",
                   "The rules file in use, backtested on the changes after the split; the tuned proposal "
                   "is learned on the changes before it.")
if ctx:
    split = st.date_input("Split (learn before, score from)", value=None, key="split")
    found, data = layout.stored(rules_page, ctx.src, ctx.filters, layout.rules_file(), split)
    if not found:  # services and teams are chosen from the history of the period
        history = layout.cached(rules_history, ctx.src, period_of(ctx.filters), layout.rules_file(), split)
        data = rules_board(history, ctx.filters) if history else None
else:
    data = None
if data:
    st.markdown(f"Rules `{data['rules_version']}` ({data['rules_file']}), scored on changes from "
                f"{data['split']:%Y-%m-%d}: {data['rules']['changes']} changes, "
                f"{data['rules']['incident_causing']} caused an incident, {data['rules']['failed']} failed.")
    scores = data["rules"]["scores"] or [0.0]
    threshold = st.select_slider("Flag changes scoring at least", options=scores,
                                 value=scores[len(scores) // 2], key="threshold")
    now = what_if_of(data["rules"]["counts"], threshold)
    base = caught_at(data["rules"]["baseline"], now["flagged_share"] or 0.0)
    cols = st.columns(3)
    cols[0].metric("Changes flagged",
                   "n/a" if now["flagged_share"] is None else f"{now['flagged_share']:.1%}",
                   help=f"{now['flagged']}/{now['changes']}")
    cols[1].metric("Incident-causing changes caught",
                   "n/a" if now["caught_share"] is None else f"{now['caught_share']:.1%}",
                   help=f"{now['caught']}/{now['positives']}")
    cols[2].metric("Lines-added baseline, same share flagged", "n/a" if base is None else f"{base:.1%}")
    lines = [p | {"model": f"rules {data['rules_version']}"} for p in data["rules"]["curve"]]
    lines += [p | {"model": "lines added only"} for p in data["rules"]["baseline"]]
    if data["tuned"]["status"] == "ok":
        lines += [p | {"model": f"tuned {data['tuned']['version']}"} for p in data["tuned"]["curve"]]
    chart = alt.Chart(frame(plain_rows(lines, ["flagged", "caught", "model"])),
                      title="Share of changes flagged vs share of incident-causing changes caught")
    marker = alt.Chart(frame([{"flagged": now["flagged_share"], "caught": now["caught_share"]}]))
    st.altair_chart(chart.mark_line().encode(x=alt.X("flagged:Q", axis=alt.Axis(format="%")),
                                             y=alt.Y("caught:Q", axis=alt.Axis(format="%")), color="model:N")
                    + marker.mark_point(size=120, filled=True, color="black")
                    .encode(x="flagged:Q", y="caught:Q"))
    report = data["backtest"]
    left, right = st.columns(2)
    with left:
        st.subheader("Backtest of the rules in use")
        table([{"model": k} | {"auc": m["auc"], "pr_auc": m["pr_auc"],
                               "recall_top_10%": m["at_top"]["10%"]["recall"],
                               "effort_recall_20%_lines": m["effort_aware"]["recall"]}
               for k, m in report["models"].items()], "backtest_models")
        table(report["rules"], "backtest_rules")
        table(report["tiers"], "backtest_tiers")
    with right:
        st.subheader("Tuned proposal")
        tuned = data["tuned"]
        if tuned["status"] != "ok":
            st.markdown(f"No proposal: {tuned['reason']}.")
        else:
            after = tuned["report"]["after"]["models"]["rules"]
            before = tuned["report"]["before"]["models"]["rules"]
            table([{"rules": "in use", "auc": before["auc"], "pr_auc": before["pr_auc"]},
                   {"rules": "tuned", "auc": after["auc"], "pr_auc": after["pr_auc"]}], "tuned_vs_in_use")
            table(tuned["report"]["weights"], "tuned_weights")
            st.download_button("Download the tuned rules (TOML)", tuned["toml"], file_name="rules.tuned.toml",
                               key="tuned_toml")
