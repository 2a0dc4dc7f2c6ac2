"""GitHub Actions output: workflow annotations on stdout, the job summary and step outputs.

GitHub shows at most 10 annotations of each type per step: the gate writes at most 10
``::warning`` (one per fired rule, on its first file) and 10 ``::error`` (blocking verification
items), most important first. The job summary (``$GITHUB_STEP_SUMMARY``, 1 MiB per step) gets the
Markdown comment, cut to fit. ``$GITHUB_OUTPUT`` gets ``tier``, ``score`` and ``decision``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, TextIO

from gate.report import markdown

MAX_ANNOTATIONS = 10
SUMMARY_LIMIT = 1024 * 1024
_CUT = "\n\n*(summary cut to GitHub's 1 MiB job summary limit)*\n"


def _data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(value: str) -> str:
    return _data(value).replace(":", "%3A").replace(",", "%2C")


def annotation_lines(d: dict[str, Any]) -> list[str]:
    warnings = []
    for rule in d["rules_fired"]:
        path = _first_path(d, rule)
        where = f"file={_prop(path)}," if path else ""
        warnings.append(f"::warning {where}title={_prop('risk rule ' + rule['id'])}::"
                        f"{_data('; '.join(rule['why']))} (tier {d['tier']}, score {d['score']:g})")
    title = _prop("verification blocking")
    errors = [f"::error title={title}::{_data(v['description'] + ': ' + v['detail'])}"
              for v in d["verification"] if v["met"] is False]
    return warnings[:MAX_ANNOTATIONS] + errors[:MAX_ANNOTATIONS]


def _first_path(d: dict[str, Any], rule: dict[str, Any]) -> str | None:
    """The first file of the first category or signal the rule's reasons name."""
    named = [c["paths"] for c in d["categories"] if any(f"touches {c['name']} " in w for w in rule["why"])]
    named += [s["paths"] for s in d["signals"] or []
              if any(w.startswith(s["name"] + " in ") for w in rule["why"])]
    return next((p[0] for p in named if p), None)


def summary(d: dict[str, Any]) -> str:
    body = markdown(d)
    data = body.encode("utf-8")
    if len(data) <= SUMMARY_LIMIT:
        return body
    return data[: SUMMARY_LIMIT - len(_CUT.encode())].decode("utf-8", "ignore") + _CUT


def write(d: dict[str, Any], out: TextIO) -> None:
    for line in annotation_lines(d):
        out.write(line + "\n")
    _append(os.environ.get("GITHUB_STEP_SUMMARY"), summary(d))
    _append(os.environ.get("GITHUB_OUTPUT"),
            f"tier={d['tier']}\nscore={d['score']:g}\ndecision={d['decision']}\n")


def _append(path: str | None, text: str) -> None:
    if path:
        with Path(path).open("a", encoding="utf-8") as fh:
            fh.write(text)
