"""``aftershock classify`` (argparse only: nothing heavy is imported here)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

_DESCRIPTION = """\
Score one change before release with the risk rules: path categories, diff signals (wildcard
IAM grants, CI permission widening, irreversible migrations, removed feature flags or rollout
stages), owning services with criticality and dependents from the service catalog, AI
attribution from commit trailers and request metadata. Prints every rule that fired and why,
and the verification the tier requires; --check evaluates that verification.

exit codes: 0 allow, 10 require_review, 11 block (the tier's decision, or with --check the
verification's outcome); 2 bad arguments or input files, 4 an event that cannot be read.
See gate/README.md."""


def register(sub: Any) -> None:
    """Add ``classify`` to the ``aftershock`` parser."""
    p = sub.add_parser("classify", help="score one change for the CI gate (tier, rules, verification)",
                       description=_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = p.add_argument_group("the change (at least one)")
    src.add_argument("--git", metavar="RANGE", help="commit range BASE..HEAD, BASE...HEAD or one commit")
    src.add_argument("--repo", type=Path, default=Path("."), metavar="DIR",
                     help="the git repository (default: the current directory)")
    src.add_argument("--files", nargs="+", metavar="PATH", help="changed paths (no diff is read)")
    src.add_argument("--github-event", type=Path, metavar="FILE",
                     help="GitHub pull_request event (default: $GITHUB_EVENT_PATH when it holds one)")
    src.add_argument("--gitlab-event", type=Path, metavar="FILE", help="GitLab merge request event")
    src.add_argument("--repository", metavar="OWNER/NAME",
                     help="repository name (default: from the event, else the origin remote)")
    p.add_argument("--history-features", action="store_true",
                   help="derive the change features (analytics/RULES.md) from git history; needs --git")
    p.add_argument("--rules", type=Path, metavar="FILE", help="rules file (default: the shipped rules)")
    p.add_argument("--catalog", type=Path, metavar="FILE",
                   help="service catalog (adapters/README.md): owners, criticality, dependencies")
    p.add_argument("--format", choices=("text", "json", "markdown", "github"), default="text",
                   help="output: text, json, markdown (a PR comment) or github (annotations, job "
                   "summary to $GITHUB_STEP_SUMMARY, outputs to $GITHUB_OUTPUT)")
    chk = p.add_argument_group("verification (--check)")
    chk.add_argument("--check", action="store_true", help="evaluate the tier's required verification")
    chk.add_argument("--reviews", type=Path, metavar="FILE",
                     help="GitHub list-reviews JSON or GitLab approvals JSON")
    chk.add_argument("--codeowners", type=Path, metavar="FILE",
                     help="CODEOWNERS (default: .github/CODEOWNERS, CODEOWNERS, docs/ or .gitlab/ in --repo)")
    chk.add_argument("--ci-status", type=Path, metavar="FILE",
                     help="GitHub check-runs JSON or a list of GitLab jobs")
    p.add_argument("--emit", type=Path, metavar="SPOOL",
                   help="append the gate_decision event to this NDJSON spool file (fsync'd)")
    p.set_defaults(handler="gate.commands:classify", settings=False)  # reads no AFTERSHOCK_* setting
