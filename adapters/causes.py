"""Causes an incident names in its paging tool's own fields -> the incident's ``causes``.

Responders (or an incident workflow) record a cause in fields named by convention, in PagerDuty
incident custom fields (``data.custom_fields``: ``[{"name", "value"}]``) or Opsgenie alert
details (``alert.details``: ``{name: value}``). Names are matched case-insensitively:

- ``cause_change``, ``cause_commit``, ``cause_pr``: a change (our change_id, a commit sha, a PR
  id, or a GitHub pull request / GitLab merge request URL, which becomes ``owner/repo#N`` /
  ``group/project!N`` as those adapters name the change);
- ``cause_deployment``: a deployment (our deployment_id or the deploy tool's id);
- ``cause_agent_action``: an agent action (its event id or source ref);
- ``cause_status``: ``confirmed`` marks every cause of the incident confirmed; anything else, or
  no such field, leaves them ``suspected``.

A value may list several references separated by commas or whitespace. Other fields are ignored.
"""

from __future__ import annotations

import re
from typing import Any

FIELD_KINDS = {
    "cause_change": "change",
    "cause_commit": "change",
    "cause_pr": "change",
    "cause_deployment": "deployment",
    "cause_agent_action": "agent_action",
}
_GITHUB_PR = re.compile(r"^https?://github\.com/([^/]+/[^/]+)/pull/(\d+)/?$")
_GITLAB_MR = re.compile(r"^https?://[^/]+/(.+?)/-/merge_requests/(\d+)/?$")
MAX_REF = 256


def causes_from_fields(fields: dict[str, Any]) -> list[dict[str, str]]:
    """The ``causes`` named in ``fields`` (name -> value), in field order, without repeats."""
    named = {str(k).strip().lower(): v for k, v in fields.items()}
    status = "confirmed" if str(named.get("cause_status", "")).strip().lower() == "confirmed" \
        else "suspected"
    causes: list[dict[str, str]] = []
    for name, value in named.items():
        kind = FIELD_KINDS.get(name)
        if kind is None:
            continue
        for ref in _refs(value):
            cause = {"kind": kind, "ref": _normal(ref), "status": status}
            if cause not in causes:
                causes.append(cause)
    return causes


def pagerduty_fields(custom_fields: Any) -> dict[str, Any]:
    """PagerDuty's ``[{"name": ..., "value": ...}]`` as a mapping (other shapes: nothing)."""
    if not isinstance(custom_fields, list):
        return {}
    return {f["name"]: f.get("value") for f in custom_fields
            if isinstance(f, dict) and isinstance(f.get("name"), str)}


def _refs(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    refs = []
    for item in items:
        if isinstance(item, str | int) and not isinstance(item, bool):
            refs += [r for r in re.split(r"[,\s]+", str(item)) if 0 < len(r) <= MAX_REF]
    return refs


def _normal(ref: str) -> str:
    if match := _GITHUB_PR.match(ref):
        return f"{match.group(1)}#{match.group(2)}"
    if match := _GITLAB_MR.match(ref):
        return f"{match.group(1)}!{match.group(2)}"
    return ref
