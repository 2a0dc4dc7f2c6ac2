"""Defect links from outside: "change X was fixed by change Y" (SZZ-style), as rule labels.

A defect-links file is JSON ``{"defects": [{"change": X, "fixed_by": Y}, ...]}`` (a bare list of
such objects is accepted too) or CSV with a header naming the columns ``change`` and ``fixed_by``.
``change`` is the defective change's id as the lake knows it (its ``change_id``, or its event id
when it has none); ``fixed_by`` names the fixing change (any text, kept for the evidence). A change
named by at least one link is labelled failed, every other change of the lake good.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

from aftershock.errors import ConfigError


@dataclass(frozen=True)
class DefectLink:
    change: str
    fixed_by: str


def read_links(path: Path) -> list[DefectLink]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"defect links {path}: cannot read ({exc.strerror})") from exc
    rows = _json_rows(text, path) if path.suffix == ".json" else _csv_rows(text, path)
    return [_link(row, path, i) for i, row in enumerate(rows, start=1)]


def _json_rows(text: str, path: Path) -> list[object]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"defect links {path}: not valid JSON ({exc}): see analytics/RULES.md") from exc
    rows = data.get("defects") if isinstance(data, dict) else data
    if not isinstance(rows, list):
        raise ConfigError(f"defect links {path}: expected a list under \"defects\": see analytics/RULES.md")
    return rows


def _csv_rows(text: str, path: Path) -> list[object]:
    reader = csv.DictReader(io.StringIO(text))
    missing = {"change", "fixed_by"} - set(reader.fieldnames or [])
    if missing:
        raise ConfigError(f"defect links {path}: CSV header lacks {sorted(missing)}: "
                          "columns change,fixed_by (analytics/RULES.md)")
    return list(reader)


def _link(row: object, path: Path, number: int) -> DefectLink:
    if isinstance(row, dict):
        change, fixed_by = row.get("change"), row.get("fixed_by")
        if isinstance(change, str) and change and isinstance(fixed_by, str) and fixed_by:
            return DefectLink(change, fixed_by)
    raise ConfigError(f"defect links {path}: link {number}: needs non-empty text \"change\" and "
                      "\"fixed_by\": fix or remove it")
