"""Cost of anchoring each manifest commit (a signed intent and head in the witness file, each
fsynced) against the same commits unanchored, on worker-sized batches.

Run: python bench/anchoring.py [--batches 60] [--batch 5000]
No broker needed: batches are landed through ``LakeWriter`` into two fresh lakes, alternating
between the anchored one (a real witness with a fresh Ed25519 key) and the baseline (a witness
that writes nothing), so both see the same machine load.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from ingest_data import raw_events, say

from aftershock.settings import IngestSettings
from lake.manifest import Manifest
from lake.witness import Record, Witness
from lake.writer import Batch, LakeWriter
from schemas.event import parse_event


class NoWitness(Witness):
    """The baseline: anchors nothing."""

    def write(self, phase: str, lake_id: str, seq: int, entry_hash: str) -> Record:
        return {}

    def recover(self, lake_id: str | None, seq: int, head: str) -> str | None:
        return None


def writer(lake: Path, witness: Witness) -> LakeWriter:
    lander = LakeWriter(lake, IngestSettings())
    lander.manifest = Manifest(lake, witness)
    return lander


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batches", type=int, default=60)
    parser.add_argument("--batch", type=int, default=5000)
    args = parser.parse_args()
    events = [parse_event(raw) for _t, raw in raw_events(args.batch)]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        anchored = writer(root / "anchored", Witness(root / "anchors", root / "anchored",
                                                     Ed25519PrivateKey.generate()))
        baseline = writer(root / "baseline", NoWitness(root / "none", root / "baseline"))
        seconds = {"anchored": 0.0, "baseline": 0.0}
        for i in range(args.batches):
            pair = [("anchored", anchored), ("baseline", baseline)]
            for name, lander in pair if i % 2 else pair[::-1]:  # neither always goes first
                batch = Batch("audit.changes", 0, i * args.batch, (i + 1) * args.batch, events,
                              list(range(i * args.batch, (i + 1) * args.batch)))
                began = time.perf_counter()
                lander.land(batch)
                seconds[name] += time.perf_counter() - began
    per = {k: v / args.batches * 1000 for k, v in seconds.items()}
    say(f"{args.batches} batches of {args.batch} events: anchored {per['anchored']:.1f} ms/commit, "
        f"baseline {per['baseline']:.1f} ms/commit, ratio {per['anchored'] / per['baseline']:.3f}")


if __name__ == "__main__":
    main()
