"""Diff detectors: risky content, not only risky paths. Pure functions of the files' diff.

Each detector returns the file paths it fired on; the names are the ``signals_any`` values of
the rules file (analytics/RULES.md, "Diff signals", documents every condition):

- ``iam_wildcard``: an added line grants a wildcard action or principal (IAM/JSON/HCL policies,
  Kubernetes RBAC ``verbs``/``resources``/``apiGroups``).
- ``ci_permissions_widened``: a CI workflow file adds ``permissions: write-all``, a ``<scope>:
  write`` permission, or the ``pull_request_target`` trigger.
- ``irreversible_migration``: a migration or SQL file adds ``DROP TABLE``/``DROP COLUMN``/
  ``TRUNCATE``, a column type change to a bounded type, or an ORM drop operation.
- ``feature_flag_removed``: a removed line references a flag (``is_enabled("x")``,
  ``variation("x", ...)``...; in a file whose path has ``flag``, ``feature`` or ``toggle`` also a
  ``key:``/``key =`` definition) that no added line of the same file references any more.
- ``rollout_stage_removed``: a deploy/rollout file removes a canary, pause or weight step.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from fnmatch import translate

from gate.diff import FileDiff

_POLICY_FILES = ("*.json", "*.yaml", "*.yml", "*.tf", "*.tf.json", "*.hcl", "*.rego", "*.py", "*.ts")
_IAM_WILDCARD = re.compile(
    r"""(?ix)
    \b(?:not)?actions?["']?\s*[:=]\s*\[?\s*["'](?:\*|[a-z0-9-]+:\*)["']      # Action: "*" / "s3:*"
    | \bprincipals?["']?\s*[:=]\s*\{?\s*(?:["']?aws["']?\s*[:=]\s*)?\[?\s*["']\*["']  # Principal: "*"
    | \bidentifiers\s*=\s*\[\s*"\*"                                            # HCL principals
    | \b(?:verbs|resources|apigroups)\s*:\s*\[?\s*["']?\*["']?               # RBAC
    """
)
_WORKFLOW_FILES = (".github/workflows/*", ".gitlab-ci.yml", "*.gitlab-ci.yml", ".gitlab/ci/*")
_CI_WIDEN = re.compile(
    r"(?im)permissions\s*:\s*write-all|\bpull_request_target\b|^\s*[a-z-]+\s*:\s*write\s*(?:#.*)?$"
)
_MIGRATION_FILES = ("migrations/*", "*/migrations/*", "*.sql", "alembic/*", "db/migrate/*")
_IRREVERSIBLE = re.compile(
    r"""(?ix)
    \bdrop\s+(?:table|column|schema|database)\b | \btruncate\b
    | \balter\s+(?:table\s+\S+\s+)?(?:alter|modify)\s+(?:column\s+)?\S+\s+(?:set\s+data\s+)?(?:type\s+)?
      (?:smallint|int|integer|int2|int4|tinyint|mediumint|real|float4|date|(?:var)?char\s*\(\s*\d+\s*\)
      |numeric\s*\(\s*\d+|decimal\s*\(\s*\d+|bit\b|boolean\b)
    | \bop\.drop_(?:table|column)\b | \bmigrations\.(?:RemoveField|DeleteModel)\b
    | \bremove_column\b | \bdrop_table\b
    """
)
_FLAG_CALL = re.compile(
    r"(?:is_?enabled|isFeatureEnabled|feature_?enabled|variation|bool_?variation|getFlag|get_flag"
    r"|flag_?enabled|useFlag|useFeatureFlag)\s*\(\s*[\"']([\w.:-]+)[\"']", re.IGNORECASE)
_FLAG_KEY = re.compile(r"^\s*[\"']?([\w.-]+)[\"']?\s*[:=]", re.MULTILINE)
_FLAG_FILES = ("*flag*", "*feature*", "*toggle*")
_ROLLOUT_FILES = ("deploy/*", "charts/*", "k8s/*", "*rollout*", "*canary*", "*.yaml", "*.yml")
_ROLLOUT_STEP = re.compile(r"(?im)^\s*-?\s*(?:setWeight|pause|canary|analysis|setCanaryScale|stage)\s*:"
                           r"|^\s*-?\s*(?:maxSurge|trafficPercent|canaryWeight)\s*:")


_GLOB_RES: dict[tuple[str, ...], re.Pattern[str]] = {}


def _matches(path: str, globs: tuple[str, ...]) -> bool:
    """``fnmatchcase`` against any of ``globs``, as one compiled regex per tuple."""
    rx = _GLOB_RES.get(globs)
    if rx is None:
        rx = _GLOB_RES[globs] = re.compile("|".join(f"(?:{translate(g)})" for g in globs))
    return rx.match(path) is not None


def _text(lines: list[str]) -> str:
    """The lines as one text, searched at once (``^``/``$`` are line anchors: re.MULTILINE)."""
    return "\n".join(lines)


def iam_wildcard(f: FileDiff) -> bool:
    if not _matches(f.path, _POLICY_FILES):
        return False
    text = _text(f.added)
    return "*" in text and _IAM_WILDCARD.search(text) is not None


def ci_permissions_widened(f: FileDiff) -> bool:
    return _matches(f.path, _WORKFLOW_FILES) and _CI_WIDEN.search(_text(f.added)) is not None


def irreversible_migration(f: FileDiff) -> bool:
    return _matches(f.path, _MIGRATION_FILES) and _IRREVERSIBLE.search(_text(f.added)) is not None


def _flags(lines: list[str], flag_file: bool) -> set[str]:
    """Flag names referenced by calls, and in a flag file the keys it defines."""
    text = _text(lines)
    found = set(_FLAG_CALL.findall(text)) if "(" in text else set()
    return found | set(_FLAG_KEY.findall(text)) if flag_file else found


def feature_flag_removed(f: FileDiff) -> bool:
    flag_file = _matches(f.path.lower(), _FLAG_FILES)
    return bool(_flags(f.removed, flag_file) - _flags(f.added, flag_file))


def rollout_stage_removed(f: FileDiff) -> bool:
    if not _matches(f.path, _ROLLOUT_FILES):
        return False
    return len(_ROLLOUT_STEP.findall(_text(f.removed))) > len(_ROLLOUT_STEP.findall(_text(f.added)))


DETECTORS: dict[str, Callable[[FileDiff], bool]] = {
    "iam_wildcard": iam_wildcard,
    "ci_permissions_widened": ci_permissions_widened,
    "irreversible_migration": irreversible_migration,
    "feature_flag_removed": feature_flag_removed,
    "rollout_stage_removed": rollout_stage_removed,
}


def detect(files: list[FileDiff]) -> dict[str, list[str]]:
    """Signal name -> paths it fired on, for the signals that fired, in DETECTORS order."""
    found: dict[str, list[str]] = {}
    for name, check in DETECTORS.items():
        paths = [f.path for f in files if (f.added or f.removed) and check(f)]
        if paths:
            found[name] = paths
    return found
