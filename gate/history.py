"""Change features of one change from git history (``aftershock classify --history-features``).

The earlier changes are the commits reachable from the range's base (``A`` of ``A..B``; ``R^``
for one commit ``R``) committed before the head commit, each with its author (``name <email>``,
as the change's author is read), commit time and paths; the definitions are
``analytics/rules/derive.py``'s, the same the lake's history is scored with.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from analytics.rules.derive import Change, Earlier, derive
from gate.classify import ChangeInput
from gate.git import Pending

_RECORD, _FIELD = "\x1e", "\x1f"


def _base_and_head(spec: str) -> tuple[str, str]:
    for sep in ("...", ".."):
        if sep in spec:
            base, _, head = spec.partition(sep)
            return base or "HEAD", head or "HEAD"
    return f"{spec}^", spec


def history_features(repo: Path, spec: str, change: ChangeInput, title: str | None) -> dict[str, float]:
    """The derived features of ``change`` (the range ``spec`` of ``repo``)."""
    base, head = _base_and_head(spec)
    if base.startswith("-") or head.startswith("-"):
        raise ValueError(f"--git {spec!r}: a revision may not start with '-'")
    fmt = f"--format={_RECORD}%an <%ae>{_FIELD}%ct"
    calls: dict[str, tuple[str, ...]] = {"log": ("log", fmt, "--name-only", base, "--"),
                                         "head": ("log", "-1", "--format=%ct", head, "--")}
    pending = Pending(repo, calls)
    when = datetime.fromtimestamp(int(pending.output("head").strip()), UTC)
    earlier = []
    for record in pending.output("log").split(_RECORD)[1:]:
        head_line, _, names = record.partition("\n")
        author, _, stamp = head_line.partition(_FIELD)
        paths = tuple(sorted({n for n in names.splitlines() if n}))
        earlier.append(Earlier(datetime.fromtimestamp(int(stamp), UTC), author or None, paths))
    lines = tuple((f.lines_added or 0) + (f.lines_deleted or 0) if change.diff_known else None
                  for f in change.files)
    return derive(Change(when, change.author, tuple(f.path for f in change.files), lines, title,
                         tuple(change.labels)), earlier)
