"""Postmortem evaluation on stress histories (simulator/stress.py) delivered as real-tool payloads
and imported with ``aftershock import --lake``: top-1 deployment and top-1 change accuracy of
``aftershock postmortem``'s ranking beside the naive rule "latest deployment of the incident's
service, and its head change", computed in the same run on the same lakes.

    python bench/postmortem_eval.py                      # every variant, seeds 101-108
    python bench/postmortem_eval.py --seeds 101 102 --variants plain delayed
    python bench/postmortem_eval.py --fit                # refit the linking weights first

``--fit`` fits the linking weights and the Platt map of their confidence on ``--fit-seeds``
(disjoint from ``--seeds``) of every variant, plus ``aftershock simulate`` seeds 1001-1004, and
writes analytics/link_weights.toml before evaluating. Lakes go to a temporary folder unless
``--keep DIR``; the state folder (anchors) is a temporary one too.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(101, 109)))
    parser.add_argument("--fit-seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--variants", nargs="+", default=None)
    parser.add_argument("--fit", action="store_true", help="fit the linking weights first")
    parser.add_argument("--keep", type=Path, default=None, help="keep the lakes in this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="postmortem-eval-") as tmp:
        os.environ["XDG_STATE_HOME"] = str(Path(tmp) / "state")
        folder = args.keep or Path(tmp)
        from simulator.eval_report import evaluate_and_print

        return evaluate_and_print(folder, args.variants, args.seeds, args.fit_seeds if args.fit else None)


if __name__ == "__main__":
    raise SystemExit(main())
