"""Machine-checkable verification of a tier (``[tier.require]``), evaluated from what CI knows.

- ``approvals = N``: at least N distinct reviewers other than the author whose latest review is
  an approval (GitHub list-reviews JSON), or N approvers (GitLab approvals JSON ``approved_by``).
- ``codeowner_approval = true``: every changed path that has owners in CODEOWNERS (last matching
  pattern wins) is approved by one of them; owners are matched by login (``@alice``), so a team
  owner (``@org/team``) cannot be verified here and counts as not met.
- ``labels = [..]``: the pull/merge request carries every label (e.g. a canary plan).
- ``ci_jobs = [..]``: each named job passed (GitHub check-runs JSON ``check_runs[].conclusion ==
  "success"``, or a list of GitLab jobs ``status == "success"``).

An item is met (True), blocking (False), or not checked (None: its input was not given).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analytics.rules.model import Require


@dataclass(frozen=True)
class Item:
    id: str
    description: str
    met: bool | None = None
    detail: str = ""


@dataclass(frozen=True)
class Evidence:
    author: str | None
    labels: list[str]
    paths: list[str]
    approvers: list[str] | None  # None: no reviews file
    codeowners: list[tuple[str, list[str]]] | None  # None: no CODEOWNERS
    jobs: dict[str, bool] | None  # name -> passed; None: no CI status file


def items(require: Require) -> list[Item]:
    """The tier's items, not yet checked."""
    out = []
    if require.approvals:
        out.append(Item("approvals", f"at least {require.approvals} approving review(s)"))
    if require.codeowner_approval:
        out.append(Item("codeowner_approval", "approval by a code owner of every owned path"))
    out += [Item(f"label:{name}", f"label {name!r} on the request") for name in require.labels]
    out += [Item(f"ci_job:{name}", f"CI job {name!r} passed") for name in require.ci_jobs]
    return out


def approvers_from(data: Any, author: str | None) -> list[str]:
    """Approvers from GitHub list-reviews JSON (latest state per reviewer) or GitLab approvals."""
    if isinstance(data, dict) and isinstance(data.get("approved_by"), list):
        names = [str((a.get("user") or {}).get("username", "")) for a in data["approved_by"]
                 if isinstance(a, dict)]
        return sorted({n for n in names if n and n != author})
    if not isinstance(data, list):
        raise ValueError("expected GitHub's list-reviews array or GitLab's approvals object")
    latest: dict[str, str] = {}
    for review in data:
        login = str((review.get("user") or {}).get("login", "")) if isinstance(review, dict) else ""
        state = str(review.get("state", "")).upper() if isinstance(review, dict) else ""
        if login and state in ("APPROVED", "CHANGES_REQUESTED", "DISMISSED"):
            latest[login] = state
    return sorted(n for n, s in latest.items() if s == "APPROVED" and n != author)


def jobs_from(data: Any) -> dict[str, bool]:
    """Job name -> passed, from GitHub check-runs JSON or a list of GitLab jobs."""
    if isinstance(data, dict) and isinstance(data.get("check_runs"), list):
        return {str(r.get("name")): r.get("conclusion") == "success" for r in data["check_runs"]}
    if isinstance(data, list):
        return {str(j.get("name")): j.get("status") == "success" for j in data if isinstance(j, dict)}
    raise ValueError("expected GitHub's check-runs object or a list of GitLab jobs")


def parse_codeowners(text: str) -> list[tuple[str, list[str]]]:
    """(pattern, owners) per line, in file order; comments and sections skipped."""
    rules = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("["):
            continue
        pattern, *owners = line.split()
        rules.append((pattern, [o.lstrip("@").lower() for o in owners]))
    return rules


def find_codeowners(repo: Path) -> Path | None:
    for rel in (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"):
        if (repo / rel).is_file():
            return repo / rel
    return None


def _owner_glob(pattern: str) -> re.Pattern[str]:
    """A CODEOWNERS (gitignore-style) pattern as a regex over repository paths."""
    anchored = pattern.startswith("/") or "/" in pattern.rstrip("/")
    core = pattern.strip("/")
    rx = "".join(".*" if part == "**" else re.escape(part).replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
                 for part in re.split(r"(\*\*)", core))
    rx = rx.replace(".*/", "(?:.*/)?")
    prefix = "" if anchored else "(?:.*/)?"
    return re.compile(f"{prefix}{rx}(?:/.*)?")


def owners_of(rules: list[tuple[str, list[str]]], path: str) -> list[str]:
    found: list[str] = []
    for pattern, owners in rules:
        if _owner_glob(pattern).fullmatch(path):
            found = owners
    return found


def check(all_items: list[Item], require: Require, ev: Evidence) -> list[Item]:
    """Each item with met / detail filled in from the evidence."""
    return [_check(item, require, ev) for item in all_items]


def _check(item: Item, require: Require, ev: Evidence) -> Item:
    kind, _, name = item.id.partition(":")
    if kind == "manual":
        return item
    if kind == "approvals":
        if ev.approvers is None:
            return _unchecked(item, "no reviews file (--reviews)")
        got = len(ev.approvers)
        return _done(item, got >= (require.approvals or 0),
                     f"{got} approval(s){': ' + ', '.join(ev.approvers) if ev.approvers else ''}")
    if kind == "codeowner_approval":
        return _codeowners(item, ev)
    if kind == "label":
        return _done(item, name in ev.labels, "present" if name in ev.labels else "missing")
    if ev.jobs is None:
        return _unchecked(item, "no CI status file (--ci-status)")
    state = ev.jobs.get(name)
    return _done(item, bool(state), "passed" if state else ("not passed" if state is False else "not run"))


def _codeowners(item: Item, ev: Evidence) -> Item:
    if ev.approvers is None or ev.codeowners is None:
        return _unchecked(item, "needs --reviews and a CODEOWNERS file")
    approvers = {a.lower() for a in ev.approvers}
    unapproved = [p for p in ev.paths
                  if (owners := owners_of(ev.codeowners, p)) and not approvers & set(owners)]
    if unapproved:
        return _done(item, False, f"no owner approved {len(unapproved)} path(s), e.g. {unapproved[0]}")
    return _done(item, True, "every owned path approved by an owner")


def _done(item: Item, met: bool, detail: str) -> Item:
    return Item(item.id, item.description, met, detail)


def _unchecked(item: Item, detail: str) -> Item:
    return Item(item.id, item.description, None, detail)
