"""Change features derived from history: one definition for one change in CI and for the lake.

``aftershock classify --git RANGE --history-features`` computes them from git (``gate/history.py``:
the commits reachable from the range's base are the earlier changes); ``rules ... --derive-features``
computes them in SQL for every change of the lake (``sql/rules_derived_features.sql``: the
earlier change events of the same repository). RULES.md "Derived from history" states the
definitions; a test builds a git repository, lands its commits as change events and checks both
give the same values feature by feature.

For a change C (time t, author A, paths P, title, labels) and the earlier changes E (time < t):

- subsystems: distinct top-level directories of P (a file at the root counts as "");
- directories: distinct parent directories of P ("" for the root);
- entropy: Shannon entropy (bits) of lines changed (added + deleted) over P's files when every file
  states its lines and some changed, else log2(number of files) (files evenly; 0 for one file);
- developers: distinct authors of the E that touch a path of P;
- prior_changes: the E that touch a path of P;
- age_days: mean over the paths of P some E touched of the days since the latest such E (0 if none);
- author_changes: the E by A; author_recent_changes: sum over them of 1 / (1 + years before t),
  years = seconds / (365 * 86400); author_subsystem_changes: the E by A touching a subsystem of C;
- fix: 1 when the title or a label has the word fix, fixes, fixed, bug, bugfix, hotfix or defect
  (any case; a word = not next to an ASCII letter or digit), else 0.

``lines_before`` needs file contents and is not derived. Values are non-negative numbers compared
in thousandths (``features.milli``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

FIX_PATTERN = r"(^|[^a-z0-9])(fix|fixes|fixed|bug|bugfix|hotfix|defect)([^a-z0-9]|$)"
FIX_WORDS = re.compile(FIX_PATTERN, re.IGNORECASE | re.ASCII)
DERIVED = ("subsystems", "directories", "entropy", "developers", "age_days", "prior_changes",
           "author_changes", "author_recent_changes", "author_subsystem_changes", "fix")
YEAR_SECONDS = 365 * 86400


@dataclass(frozen=True)
class Earlier:
    when: datetime
    author: str | None
    paths: tuple[str, ...]


@dataclass(frozen=True)
class Change:
    when: datetime
    author: str | None
    paths: tuple[str, ...]
    lines: tuple[int | None, ...] = ()  # lines changed per file (None = not stated), as paths
    title: str | None = None
    labels: Sequence[str] = field(default_factory=tuple)


def top(path: str) -> str:
    return path.split("/", 1)[0] if "/" in path else ""


def parent(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""


def entropy(change: Change) -> float:
    lines = change.lines
    if lines and len(lines) == len(change.paths) and all(n is not None for n in lines):
        total = sum(n or 0 for n in lines)
        if total > 0:
            return -sum((n / total) * math.log2(n / total) for n in lines if n)
    return math.log2(len(change.paths)) if change.paths else 0.0


def is_fix(title: str | None, labels: Iterable[str]) -> bool:
    return any(FIX_WORDS.search(text) for text in (title or "", *labels))


def derive(change: Change, history: Iterable[Earlier]) -> dict[str, float]:
    """The derived features of ``change`` given every other change of its repository."""
    earlier = [e for e in history if e.when < change.when]
    paths, subsystems = set(change.paths), {top(p) for p in change.paths}
    touching = [e for e in earlier if paths & set(e.paths)]
    latest: dict[str, datetime] = {}
    for e in touching:
        for p in paths & set(e.paths):
            latest[p] = max(latest.get(p, e.when), e.when)
    mine = [e for e in earlier if change.author is not None and e.author == change.author]
    ages = [(change.when - when).total_seconds() / 86400 for when in latest.values()]
    return {
        "subsystems": float(len(subsystems)),
        "directories": float(len({parent(p) for p in change.paths})),
        "entropy": entropy(change),
        "developers": float(len({e.author for e in touching if e.author is not None})),
        "age_days": sum(ages) / len(ages) if ages else 0.0,
        "prior_changes": float(len(touching)),
        "author_changes": float(len(mine)),
        "author_recent_changes": sum(1 / (1 + (change.when - e.when).total_seconds() / YEAR_SECONDS)
                                     for e in mine),
        "author_subsystem_changes": float(sum(1 for e in mine if subsystems & {top(p) for p in e.paths})),
        "fix": 1.0 if is_fix(change.title, change.labels) else 0.0,
    }
