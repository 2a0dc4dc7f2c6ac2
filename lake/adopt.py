"""Anchor the current head of a lake made before its heads were anchored (``aftershock lake adopt``).

A lake written before anchoring (or with its witness lost) has entries no head vouches for, so
``verify`` reports them as "not anchored". Adoption checks the lake's own chain and every file it
names, then records the current last entry as a signed ``head`` in the witness, under the writers'
lock. It trusts the lake as it is at that moment (trust on first use): everything after is
checked against that head. A lake whose heads are already anchored is refused: adopting it again
would hide entries appended by someone other than a writer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aftershock.errors import IntegrityError, LakeError
from aftershock.settings import LakeSettings
from lake.manifest import Manifest
from lake.verify import check_contents
from lake.witness import Witness


@dataclass(frozen=True)
class Adopted:
    seq: int
    head: str
    lake_id: str
    witness_file: Path
    files: int


def adopt_lake(lake: Path, settings: LakeSettings) -> Adopted:
    """Check ``lake`` and anchor its current head; a LakeError says why not."""
    if not Manifest(lake).path.is_file():
        raise LakeError(f"{lake} has no manifest: nothing to adopt (is --lake the lake's folder?)")
    witness = Witness.from_settings(settings, lake)
    manifest = Manifest(lake, witness)
    with manifest.locked() as state:
        if state.lake_id is None:
            raise LakeError(f"the manifest of {lake} has no entries: nothing to adopt")
        _refuse_anchored(witness, state.lake_id)
        report = check_contents(lake, manifest.path)
        if report.findings:
            more = f" (and {len(report.findings) - 1} more)" if len(report.findings) > 1 else ""
            raise IntegrityError(f"{lake} fails its own checks, so its head cannot be adopted: "
                            f"{report.findings[0]}{more}; run `aftershock verify --lake {lake}`")
        witness.write("head", state.lake_id, state.seq, state.head)
        return Adopted(state.seq, state.head, state.lake_id, witness.file(state.lake_id), report.files)


def _refuse_anchored(witness: Witness, lake_id: str) -> None:
    marks = [r for _, r in witness.records(lake_id) if r is not None and isinstance(r.get("seq"), int)]
    if marks:
        newest = max(r["seq"] for r in marks)
        raise LakeError(f"the heads of this lake are already anchored in {witness.file(lake_id)} "
                        f"(up to entry {newest}): adopt is only for a lake made before anchoring; "
                        "run `aftershock verify` to see what differs")
