"""Render the report, postmortems and query results as text, JSON or CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any


def to_json(data: Any) -> str:
    return json.dumps(data, indent=2, default=_plain)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def pct(figure: dict[str, Any]) -> str:
    if figure["rate"] is None:
        return f"n/a ({figure['numerator']}/{figure['denominator']})"
    lo, hi = figure["interval"]
    return (f"{figure['rate']:.1%} ({figure['numerator']}/{figure['denominator']}, "
            f"95% {lo:.1%}-{hi:.1%}, coverage {figure['coverage']:.0%})")


def minutes(figure: dict[str, Any]) -> str:
    if figure["median_minutes"] is None:
        return "n/a"
    ci = figure["interval"]
    interval = f"95% {ci[0]:.0f}-{ci[1]:.0f}" if ci else "interval needs more data"
    return (f"median {figure['median_minutes']:.0f} min ({interval}, n={figure['n']}, "
            f"coverage {figure['coverage']:.0%})")


def report_text(r: dict[str, Any]) -> str:
    d, link = r["dora"], r["linking"]
    freq = d["deployment_frequency"]
    lines = [
        f"Aftershock report {r['period']['since']} .. {r['period']['until']} ({r['period']['environment']})",
        f"  deployment frequency   {freq['rate']:.2f}/day ({freq['numerator']} deployments, "
        f"95% {freq['interval'][0]:.2f}-{freq['interval'][1]:.2f})",
        f"  lead time for changes  {minutes(d['lead_time_for_changes'])}",
        f"  change failure rate    {pct(d['change_failure_rate'])}",
        f"  recovery time          {minutes(d['failed_deployment_recovery_time'])}",
        f"  rework rate            {pct(d['deployment_rework_rate'])}",
        f"  linking: {link['linked']} of {link['incidents']} incidents linked "
        f"(>= {r['parameters']['min_confidence']}), {link['unlinked']} unlinked",
        "AI attribution (per change, failed = linked incident, failed alone, or reverted):",
    ]
    rr = {x["ai_level"]: x for x in r["ai"]["relative_risk"]}
    for level in r["ai"]["change_failure_rate"]:
        lines.append(f"  {level['ai_level']:<15} {pct(level)}  {_rr(rr.get(level['ai_level']))}")
    g = r["agents"]
    lines.append(f"Agents: {g['destructive']} destructive actions, {g['destructive_executed']} executed, "
                 f"{g['destructive_without_second_authorization']} without second authorization, "
                 f"{g['incidents_linked_to_agents']} incidents linked to agent actions")
    return "\n".join(lines + layers_text(r["layers"]))


def layers_text(layers: dict[str, Any]) -> list[str]:
    """The report's "layers that held" lines."""
    t, g = layers["incident_changes"], layers["gate"]
    held = ", ".join(f"{x['layers_held']}: {x['incidents']}" for x in layers["incidents_by_layers_held"])
    return [
        f"Layers that held ({t['changes']} incident-causing changes; incidents by layers held {held}):",
        f"  gate flagged           {pct(t['gate_flagged'])}",
        f"  caught at canary       {pct(t['caught_at_canary'])}",
        f"  rolled back pre-impact {pct(t['rolled_back_before_impact'])}",
        f"  through every layer    {pct(t['reached_customers_through_every_layer'])}",
        f"  gate recall            {pct(g['recall'])} at flag rate {pct(g['flag_rate'])}",
        f"  overrides -> incident  {pct(g['overrides_before_incidents'])}",
    ]


def _rr(x: dict[str, Any] | None) -> str:
    if x is None:
        return "(reference)"
    if x["status"] != "ok":
        return f"RR refused: {x['reason']}"
    return f"RR {x['rr']:.2f} (95% {x['interval'][0]:.2f}-{x['interval'][1]:.2f}, {x['strata']} strata)"


def postmortem_text(pm: dict[str, Any]) -> str:
    inc = pm["incident"]
    lines = [f"{inc['incident_id']}: {inc['title']} (sev {inc['severity']}, {inc['status']})",
             f"  impact {inc['impact_started_at']} .. {inc['ended_at']}, "
             f"impact minutes {inc['impact_minutes']}",
             "Suspects:"]
    for s in pm["suspects"]:
        ids = ", ".join(str(v) for v in (s["deployment_id"], s["pull_request"], s["session_id"]) if v)
        share = s.get("change_confidence")
        which = f" (this change of its deployment {share:.2f})" if share is not None and share < 0.999 else ""
        lines.append(f"  {s['rank']}. {s['suspect_kind']} {s['suspect_id']} {s['confidence']:.2f}{which} "
                     f"[{', '.join(s['methods'])}] {ids}")
        lines.extend(f"       - {e}" for e in s["evidence"])
    lines.append(f"Timeline ({pm['window_minutes']} min before impact):")
    lines.extend(f"  {t['at']} {t['kind']:<12} {t['service_name']} {t['ref']}: {t['what']}"
                 for t in pm["timeline"])
    return "\n".join(lines + incident_layers_text(pm.get("layers")))


def incident_layers_text(x: dict[str, Any] | None) -> list[str]:
    """A postmortem's "layers" lines: what each defence did about the change that caused it."""
    if x is None:
        return ["Layers: the incident is not linked to a change"]
    gate = f"{x['gate']} (tier {x['gate_tier']}, verification {x['verification'] or 'not required'})" \
        if x["gate_tier"] is not None else x["gate"]
    detect = "n/a" if x["detection_minutes"] is None else f"{x['detection_minutes']:.0f} min"
    return [f"Layers ({x['change_id']}, {x['layers_held']} of 3 held):",
            f"  gate {gate}; review {x['review']}; rollout {x['rollout']} ({x['strategy'] or 'unknown'}); "
            f"rollback before impact {x['rollback']}; detected after {detect}"]


def table_text(columns: list[str], rows: list[tuple[object, ...]]) -> str:
    cells = [columns, *[["" if v is None else str(v) for v in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
    out = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out)


def table_csv(columns: list[str], rows: list[tuple[object, ...]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue()
