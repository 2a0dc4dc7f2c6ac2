"""Diff signals of simulated changes and the dependents of their services (rules attributes).

Each change carries ``change.signals`` (the detector names of gate/detectors.py its diff would
trip) and ``service.dependents`` (how many services depend on its service, transitively) as
envelope attributes, so rules with ``signals_any`` / ``dependents_min`` conditions can be
backtested. Signals are drawn from a generator of their own, seeded by the run's seed and the
change id, so adding them changes nothing else of the world: a file of a category may trip its
signal, more often when the change is bad (``P_SIGNAL_BAD`` against ``P_SIGNAL_GOOD``).
"""

from __future__ import annotations

import random
from typing import Any

from simulator.org import Org

P_SIGNAL_BAD = 0.45
P_SIGNAL_GOOD = 0.06
# path prefix -> the signal a file under it may trip
_SIGNAL_OF = (
    ("iam/", "iam_wildcard"), ("terraform/iam/", "iam_wildcard"),
    (".github/workflows/", "ci_permissions_widened"), ("deploy/", "rollout_stage_removed"),
    ("migrations/", "irreversible_migration"), ("config/flags/", "feature_flag_removed"),
)
_ORDER = ("iam_wildcard", "ci_permissions_widened", "irreversible_migration", "feature_flag_removed",
          "rollout_stage_removed")


def signals(seed: int, change_id: str, files: list[dict[str, Any]], bad: bool) -> list[str]:
    """The signals of one change, in detector order."""
    rng = random.Random(f"{seed}:{change_id}:signals")  # noqa: S311 (reproducible, not secrets)
    p = P_SIGNAL_BAD if bad else P_SIGNAL_GOOD
    found = {sig for f in files for prefix, sig in _SIGNAL_OF
             if f["path"].startswith(prefix) and rng.random() < p}
    return [s for s in _ORDER if s in found]


def dependents(org: Org, name: str) -> int:
    """Services that depend on ``name``, directly or through others."""
    seen: set[str] = set()
    todo = [name]
    while todo:
        for user in org.by_name[todo.pop()].dependents:
            if user not in seen:
                seen.add(user)
                todo.append(user)
    return len(seen - {name})
