"""The classification as a JSON-ready dict, plain text and a Markdown pull-request comment."""

from __future__ import annotations

from typing import Any

from gate.checks import Item
from gate.classify import EXIT_CODES, Classification

MAX_PATHS = 20  # paths listed per category / signal in the outputs


def as_dict(c: Classification, items: list[Item], checked: bool, decision: str) -> dict[str, Any]:
    f, a = c.facts, c.assessment
    return {
        "change_id": c.change.change_id, "repository": c.change.repository,
        "rules_version": c.rules_version, "score": a.score, "tier": a.tier, "decision": decision,
        "exit_code": EXIT_CODES[decision],
        "rules_fired": [{"id": r.id, "weight": r.weight, "description": r.description, "why": r.why}
                        for r in c.fired],
        "terms": [{"id": i, "added": v} for i, v in a.terms],
        "categories": [{"name": n, "files": len(p), "paths": p[:MAX_PATHS]}
                       for n, p in c.category_paths.items()],
        "signals": None if f.signals is None else
        [{"name": n, "files": len(p), "paths": p[:MAX_PATHS]} for n, p in c.signals.items()],
        "services": [{"name": s.name, "criticality": s.criticality, "files": s.files,
                      "dependents": list(s.dependents)} for s in (c.blast.services if c.blast else ())],
        "criticality": f.criticality, "dependents": f.dependents,
        "verification": [{"id": i.id, "description": i.description, "met": i.met, "detail": i.detail}
                         for i in items],
        "checked": checked, "blocking": [i.id for i in items if i.met is False],
        "ai_level": c.change.ai.get("level"), "ai": c.change.ai,
        "facts": {"files": len(f.paths), "lines_added": f.lines_added, "lines_deleted": f.lines_deleted,
                  "kind": f.kind, "author": c.change.author, "author_kind": f.author_kind,
                  "diff_read": c.change.diff_known},
    }


def _mark(met: bool | None) -> str:
    return {True: "met", False: "BLOCKING", None: "to do"}[met]


def text(d: dict[str, Any]) -> str:
    lines = [f"{d['change_id']}: tier {d['tier']} (score {d['score']:g}), decision {d['decision']}",
             f"  rules {d['rules_version']}; {d['facts']['files']} files, +{d['facts']['lines_added']} "
             f"-{d['facts']['lines_deleted']}; AI {d['ai_level']}"]
    lines += [f"  category {c['name']}: {c['files']} file(s)" for c in d["categories"]]
    if d["signals"] is None:
        lines.append("  diff signals: not read (no --git)")
    lines += [f"  signal {s['name']}: {', '.join(s['paths'][:3])}" for s in d["signals"] or []]
    lines += [f"  service {s['name']}: criticality {s['criticality'] or '?'}, "
              f"{len(s['dependents'])} dependent(s)" for s in d["services"]]
    lines += [f"  rule {r['id']} (+{r['weight']:g}): {'; '.join(r['why'])}" for r in d["rules_fired"]]
    lines += [f"  term {t['id']}: {t['added']:+g}" for t in d.get("terms", [])]
    lines += [f"  verify [{_mark(v['met'])}] {v['description']}"
              f"{' - ' + v['detail'] if v['detail'] else ''}" for v in d["verification"]]
    return "\n".join(lines) + "\n"


def markdown(d: dict[str, Any]) -> str:
    """A pull-request comment (GitHub and GitLab Markdown)."""
    out = [f"### Risk: **{d['tier']}** (score {d['score']:g}) - {d['decision'].replace('_', ' ')}", "",
           f"`{d['change_id']}`, rules `{d['rules_version']}`: {d['facts']['files']} files, "
           f"+{d['facts']['lines_added']} -{d['facts']['lines_deleted']}, AI attribution "
           f"**{d['ai_level']}**{_ai_evidence(d['ai'])}.", ""]
    if d["rules_fired"]:
        out += ["| rule | weight | why |", "| --- | ---: | --- |"]
        out += [f"| `{r['id']}` | {r['weight']:g} | {_cell('; '.join(r['why']))} |" for r in d["rules_fired"]]
        out.append("")
    if d["services"]:
        out += [f"Services: {', '.join(_service(s) for s in d['services'])}.", ""]
    if d["verification"]:
        out.append("**Verification required**")
        out += [f"- [{'x' if v['met'] else ' '}] {v['description']}"
                f"{' (' + _cell(v['detail']) + ')' if v['detail'] else ''}" for v in d["verification"]]
    return "\n".join(out) + "\n"


def _service(s: dict[str, Any]) -> str:
    crit = f"criticality {s['criticality']}" if s["criticality"] else "not in catalog"
    return f"`{s['name']}` ({crit}, {len(s['dependents'])} dependents)"


def _ai_evidence(ai: dict[str, Any]) -> str:
    evidence = ai.get("evidence") or []
    return f" ({_cell(evidence[0])})" if evidence else ""


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")
