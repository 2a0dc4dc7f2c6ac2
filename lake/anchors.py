"""Compare a manifest with the heads anchored outside the lake and with what Kafka committed.

Pure logic over plain data (the heads of the witness and of the heads topic, the consumer
group's committed offsets): no I/O, no Kafka. Findings:

- a head or intent not signed by the verify key: forged, or signed with another key;
- an anchored hash that differs from the manifest entry of the same sequence number: the entry
  was rewritten and the chain recomputed;
- an anchored head newer than the manifest's last entry: entries deleted, or the lake replaced
  by an older copy;
- manifest entries after the newest anchor: appended by someone other than a writer;
- heads of another lake anchored for this lake's folder: the lake was replaced;
- a committed consumer-group offset beyond the manifest's end of that partition: entries
  deleted or the lake rolled back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from lake import keys
from lake.witness import Record, payload

Anchor = tuple[str, Record]  # (where it was read, record)


@dataclass
class Findings:
    findings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def trusted(anchors: Sequence[Anchor], public: Ed25519PublicKey | None, out: Findings) -> list[Anchor]:
    """The anchors that count: all of them without a verify key (with a note), else only those
    the key signed (a finding for each other one)."""
    if public is None:
        if anchors:
            unsigned = sum(1 for _, r in anchors if not r.get("sig"))
            out.notes.append(f"heads not checked against a public key ({unsigned} of {len(anchors)} "
                             "unsigned): set AFTERSHOCK_LAKE__VERIFY_KEY (and "
                             "AFTERSHOCK_LAKE__SIGNING_KEY for the writers) so a forged head is "
                             "caught")
        return list(anchors)
    kept = []
    for where, record in anchors:
        if keys.signed_by(public, payload(record), str(record.get("sig"))):
            kept.append((where, record))
        else:
            out.findings.append(f"{where}: head of entry {record.get('seq')} is not signed by the "
                                "verify key (forged, unsigned, or signed with another key)")
    return kept


def compare(entries: Sequence[dict[str, Any]], lake_id: str | None, anchors: Sequence[Anchor],
            out: Findings) -> None:
    """Check the manifest ``entries`` against the trusted ``anchors`` of this lake's folder."""
    for where, record in anchors:  # another lake's intents and voids are lost races for entry 1
        if record.get("lake") != lake_id and record.get("phase", "head") == "head":
            out.findings.append(f"{where}: heads of another lake ({record.get('lake')}) were "
                                "anchored for this folder: the lake was replaced (entry 1 "
                                "rewritten); if it was deliberately recreated, move that "
                                "witness file away")
            break
    mine = [(w, r) for w, r in anchors if r.get("lake") == lake_id]
    voided = {(r.get("seq"), r.get("hash")) for _, r in mine if r.get("phase") == "void"}
    marks = [(w, r) for w, r in mine if r.get("phase") in ("intent", "head")
             and (r.get("seq"), r.get("hash")) not in voided and isinstance(r.get("seq"), int)]
    hashes = {e.get("seq"): e.get("hash") for e in entries}
    last = max((s for s in hashes if isinstance(s, int)), default=0)
    _rewritten(marks, hashes, out)
    _rolled_back(marks, last, out)
    _pending(marks, hashes, last, out)
    anchored = max((r["seq"] for _, r in marks if r["seq"] <= last), default=0)
    if last > anchored:
        out.findings.append(f"manifest entries {anchored + 1}..{last} are not anchored (no head in "
                            "the witness or the heads topic): appended by someone other than a "
                            "writer, or AFTERSHOCK_LAKE__ANCHOR_DIR is not this lake's")


def _rewritten(marks: list[Anchor], hashes: dict[Any, Any], out: Findings) -> None:
    differ = sorted((r["seq"], w, r) for w, r in marks
                    if r["seq"] in hashes and hashes[r["seq"]] != r.get("hash"))
    if differ:
        seq, where, record = differ[0]
        more = f" (and {len(differ) - 1} more anchors)" if len(differ) > 1 else ""
        out.findings.append(f"manifest entry {seq} differs from its head anchored at "
                            f"{record.get('at')} ({where}){more}: entries rewritten and the "
                            "chain recomputed")


def _rolled_back(marks: list[Anchor], last: int, out: Findings) -> None:
    heads = [(r["seq"], w, r) for w, r in marks if r.get("phase") == "head"]
    if heads and max(heads)[0] > last:
        seq, where, record = max(heads)
        out.findings.append(f"manifest ends at entry {last} but entry {seq} was anchored at "
                            f"{record.get('at')} ({where}): entries {last + 1}..{seq} deleted, "
                            "or the lake replaced by an older copy")


def _pending(marks: list[Anchor], hashes: dict[Any, Any], last: int, out: Findings) -> None:
    newest_head = max((r["seq"] for _, r in marks if r.get("phase") == "head"), default=0)
    for _, record in marks:
        seq = record["seq"]
        if record.get("phase") != "intent" or seq <= newest_head:
            continue
        if seq == last and hashes.get(seq) == record.get("hash"):
            out.notes.append(f"entry {seq} was committed by a writer that stopped before "
                             "anchoring it; the next writer anchors it")
        elif seq == last + 1:
            out.notes.append(f"entry {seq} was announced by a writer that stopped before writing "
                             "it; the next writer records it as never committed")


def compare_offsets(entries: Sequence[dict[str, Any]], committed: dict[tuple[str, int], int],
                    group: str, out: Findings) -> None:
    """A partition the consumer group committed further than the manifest ends was cut back."""
    ends: dict[tuple[str, int], int] = {}
    for entry in entries:
        if entry.get("op") == "add":
            key = (str(entry.get("topic")), int(entry.get("partition", -1)))
            ends[key] = max(ends.get(key, 0), int(entry.get("next_offset", 0)))
    for (topic, partition), offset in sorted(committed.items()):
        end = ends.get((topic, partition))
        if end is None or offset > end:
            where = "has no entry for it" if end is None else f"ends at offset {end}"
            out.findings.append(f"consumer group {group} committed {topic}[{partition}] up to "
                                f"offset {offset} but the manifest {where}: entries deleted or "
                                "the lake rolled back")
