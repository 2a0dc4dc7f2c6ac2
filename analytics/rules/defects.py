"""Defect links from a file (``--defects``): "change X was fixed by change Y" (SZZ-style), as labels.

The file format is ``schemas.defect_file`` (JSON or CSV of ``change``, ``fixed_by``). ``change``
is the defective change as the lake knows it (its ``change_id``, or its event id when it has
none); ``fixed_by`` names the fixing change (kept for the evidence). A change named by at least
one link, in the file or landed in the lake as a ``defect_link`` event, is labelled failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aftershock.errors import ConfigError
from schemas.defect_file import RowProblem, read_rows


@dataclass(frozen=True)
class DefectLink:
    change: str
    fixed_by: str


def read_links(path: Path) -> list[DefectLink]:
    """Every link of the file; the first bad row raises ConfigError naming file:line."""
    links = []
    for row in read_rows(path):
        if isinstance(row, RowProblem):
            raise ConfigError(f"defect links {path}:{row.line}: {row.reason}: fix or remove it")
        links.append(DefectLink(row.change, row.fixed_by))
    return links
