"""``aftershock import --source defects``: a defect-links file (SZZ-style CSV/JSON) -> defect_link events.

The file format is ``schemas.defect_file``. Each link becomes one ``defect_link`` event whose
``event_id`` is derived from the pair (defective change, fixing change), so importing a file twice
lands each link once (the lake keeps one event per ``(source, event_id)``). ``occurred_at`` is the
row's ``fixed_at`` when given, else the time of the import. A bad row is reported with file:line
and what is wrong, counted as rejected, and skipped; the rest of the file is landed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from pydantic import ValidationError

from adapters.base import MappingError
from schemas.defect_file import LinkRow, RowProblem, read_rows
from schemas.event import Event, describe_error, parse_obj

SOURCE = "defects"
EVENT_SOURCE = "aftershock.defects"


def link_event_id(change: str, fixed_by: str) -> str:
    """The stable id of the link "``change`` was fixed by ``fixed_by``"."""
    digest = hashlib.sha256(f"{change}\0{fixed_by}".encode()).hexdigest()
    return f"defect-link:{digest[:40]}"


def link_events(path: Path, now: datetime | None = None) -> Iterator[Event | MappingError]:
    """The events of one defect-links file in order; a bad row comes as a MappingError (file:line)."""
    stamp = now or datetime.now(UTC)
    for row in read_rows(path):
        where = f"{path}:{row.line}"
        if isinstance(row, RowProblem):
            yield MappingError(SOURCE, "defect_link", where, row.reason)
            continue
        try:
            yield parse_obj(_event(row, stamp))
        except ValidationError as exc:
            yield MappingError(SOURCE, "defect_link", where, describe_error(exc))


def _event(row: LinkRow, stamp: datetime) -> dict[str, object]:
    evidence = row.evidence
    return {
        "event_id": link_event_id(row.change, row.fixed_by),
        "event_type": "defect_link",
        "source": EVENT_SOURCE,
        "occurred_at": row.fixed_at or stamp,
        "source_url": evidence if evidence and evidence.startswith(("https://", "http://")) else None,
        "payload": {"change": row.change, "fixed_by": row.fixed_by, "origin": row.origin,
                    "evidence": evidence},
    }
