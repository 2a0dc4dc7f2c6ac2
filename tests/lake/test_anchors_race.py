"""Witness records of writers that lost the race for a new lake's first entry (each announced
its own entry 1, under a lake id that is that entry's hash) are not a replaced lake; a head of
another lake is."""

from __future__ import annotations

from typing import Any

from lake.anchors import Findings, compare


def _record(phase: str, lake: str, seq: int, digest: str) -> tuple[str, dict[str, Any]]:
    return ("w", {"phase": phase, "lake": lake, "seq": seq, "hash": digest})


def test_lost_races_for_the_first_entry_are_not_another_lake() -> None:
    entries = [{"seq": 1, "hash": "h1"}, {"seq": 2, "hash": "h2"}]
    anchors = [_record("intent", "h1", 1, "h1"), _record("head", "h1", 1, "h1"),
               _record("intent", "x1", 1, "x1"), _record("void", "x1", 1, "x1"),  # lost, voided
               _record("intent", "y1", 1, "y1"),  # lost, killed before it could void
               _record("intent", "h1", 2, "h2"), _record("head", "h1", 2, "h2")]
    out = Findings()
    compare(entries, "h1", anchors, out)
    assert out.findings == []


def test_a_head_of_another_lake_is_a_replaced_lake() -> None:
    entries = [{"seq": 1, "hash": "h1"}]
    anchors = [_record("head", "old", 1, "old"), _record("head", "h1", 1, "h1")]
    out = Findings()
    compare(entries, "h1", anchors, out)
    assert len(out.findings) == 1 and "heads of another lake (old)" in out.findings[0]
