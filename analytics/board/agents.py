"""The agents page: actions by consequence tier and decision, destructive actions and their
authorization, agents ranked by risk, incidents traced to agent actions, and gate decisions
joined to the changes they judged (when the lake holds any)."""

from __future__ import annotations

from typing import Any

from analytics.board.filters import Filters
from analytics.board.session import opened, resolve, rows, tables_for
from analytics.board.source import Source
from analytics.metrics import proportion


def agents(src: Source, filters: Filters) -> dict[str, Any]:
    with opened(src, tables_for(filters)) as con:
        v = resolve(con, filters, src)
        tiers = rows(con, "board_agent_tiers", v)
        destructive = rows(con, "board_agent_destructive", v)
        ranked = rows(con, "board_agents", v)
        traced = rows(con, "board_agent_incidents", v)
        gates = rows(con, "board_gate_changes", v)
    executed = sum(r["actions"] for r in destructive if r["executed"])
    unguarded = sum(r["actions"] for r in destructive if r["unguarded"])
    for r in gates:
        figure = proportion(r["failed"], r["deployed"], r["deployed"])
        r["failure_rate"] = figure["rate"]
    return {
        "period": {"since": v["since"], "until": v["until"]},
        "summary": {"actions": sum(r["actions"] for r in tiers),
                    "destructive": sum(r["actions"] for r in destructive),
                    "destructive_executed": executed,
                    "without_second_authorization": proportion(unguarded, executed, executed),
                    "incidents_traced": len(traced)},
        "tiers": tiers, "destructive": destructive, "agents": ranked, "incidents": traced,
        "gate_decisions": gates,
    }
