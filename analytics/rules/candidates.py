"""New path categories: directory globs whose changes fail more often than the rest.

Candidates are the first one and two directory levels of every path touched before the split
(``deploy/*``, ``terraform/network/*``) that the rules file's categories do not already cover.
A candidate is kept when it has enough support, its smoothed failure rate is well above the
base rate and the lower end of its 95 % Wilson interval still clears the base rate. Of nested
candidates (``controlplane/*`` and ``controlplane/router/*``) the shallower one wins when both
qualify (a rule for the whole folder generalises to its new subfolders); among candidates of one
depth, the strongest evidence (likelihood-ratio statistic against the base rate) goes first.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime

import duckdb

from analytics import queries
from analytics.rules.history import PACKAGE

MIN_SUPPORT = 20
MIN_LIFT = 1.5
MIN_UNKNOWN_SHARE = 0.8
PRIOR_STRENGTH = 20.0
Z95 = 1.959964


@dataclass(frozen=True)
class Candidate:
    glob: str
    changes: int
    failed: int
    unknown_share: float
    base_rate: float

    @property
    def smoothed_rate(self) -> float:
        return (self.failed + PRIOR_STRENGTH * self.base_rate) / (self.changes + PRIOR_STRENGTH)

    @property
    def lift(self) -> float:
        return self.smoothed_rate / self.base_rate if self.base_rate else 0.0

    @property
    def wilson_low(self) -> float:
        n, p = self.changes, self.failed / self.changes
        centre = p + Z95 * Z95 / (2 * n)
        margin = Z95 * math.sqrt(p * (1 - p) / n + Z95 * Z95 / (4 * n * n))
        return (centre - margin) / (1 + Z95 * Z95 / n)

    @property
    def g_statistic(self) -> float:
        """Likelihood-ratio (G) statistic of its failure rate against the base rate."""
        n, k, p0 = self.changes, self.failed, self.base_rate
        if not 0 < p0 < 1:
            return 0.0
        g = k * math.log(k / (n * p0)) if k else 0.0
        g += (n - k) * math.log((n - k) / (n * (1 - p0))) if n > k else 0.0
        return 2 * g

    def evidence(self, split: str) -> str:
        return (f"before {split}: {self.changes} changes touched it, {self.failed} failed "
                f"(smoothed rate {self.smoothed_rate:.3f}, lift {self.lift:.2f} over base rate "
                f"{self.base_rate:.3f}, 95% lower bound {self.wilson_low:.3f})")


def path_candidates(con: duckdb.DuckDBPyConnection, until: datetime, base_rate: float) -> list[Candidate]:
    """Every directory glob of the training period, with support and failures."""
    found = queries.rows(con, "rules_path_candidates", {"until": until}, package=PACKAGE)
    return [Candidate(r["pattern"], int(r["changes"]), int(r["failed"]), float(r["unknown_share"]), base_rate)
            for r in found]


def select(candidates: list[Candidate]) -> list[Candidate]:
    """Significant, uncovered, non-nested candidates, strongest evidence first."""
    keep = [c for c in candidates
            if c.changes >= MIN_SUPPORT and c.unknown_share >= MIN_UNKNOWN_SHARE
            and c.lift >= MIN_LIFT and c.wilson_low > c.base_rate]
    chosen: list[Candidate] = []
    for cand in sorted(keep, key=lambda c: (c.glob.count("/"), -c.g_statistic, c.glob)):
        if not any(_nested(cand.glob, other.glob) for other in chosen):
            chosen.append(cand)
    return chosen


def _nested(a: str, b: str) -> bool:
    pa, pb = a.removesuffix("*"), b.removesuffix("*")
    return pa.startswith(pb) or pb.startswith(pa)


def category_name(glob: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", glob.removesuffix("/*").lower()).strip("_")
    return f"learned_{slug or 'root'}"[:64]
