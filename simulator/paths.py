"""File paths of each path category, and heavy-tailed file counts and line counts."""

from __future__ import annotations

import math
import random
from typing import Any

TEMPLATES: dict[str, tuple[str, ...]] = {
    "app_code": ("src/{svc}/handlers/{w}.py", "src/{svc}/service/{w}.go", "src/{svc}/api/{w}.ts"),
    "tests": ("tests/test_{w}.py", "src/{svc}/service/{w}_test.go"),
    "docs": ("docs/{w}.md", "README.md"),
    "config": ("config/{w}.toml", "config/flags/{w}.json"),
    "shared_library": ("libs/common/{w}.py", "libs/retry/{w}.go"),
    "deploy_logic": ("deploy/helm/values-{w}.yaml", ".github/workflows/deploy-{w}.yml",
                     "deploy/k8s/{w}.yaml"),
    "iam_policy": ("iam/policies/{w}.json", "terraform/iam/{w}.tf"),
    "control_plane": ("controlplane/{w}/reconciler.go", "terraform/network/{w}.tf"),
    "data_migration": ("migrations/{n:04d}_{w}.sql",),
    "other": ("tools/{w}.sh", "Makefile"),
}
_WORDS = ("retry", "limits", "cache", "router", "session", "quota", "refund", "token", "sync",
          "batch", "export", "webhook", "backoff", "timeout", "schema", "index", "ledger", "prod")


def sample_path(rng: random.Random, category: str, service: str) -> str:
    template = rng.choice(TEMPLATES[category])
    return template.format(svc=service, w=rng.choice(_WORDS), n=rng.randint(1, 9999))


def sample_lines(rng: random.Random) -> tuple[int, int]:
    """Lines added and deleted of one file: log-normal, median about 20 added."""
    added = int(math.exp(rng.gauss(3.0, 1.3)))
    deleted = int(added * rng.random() * 0.8)
    return min(added, 20_000), min(deleted, 20_000)


def sample_files(rng: random.Random, primary: str, service: str,
                 categories: list[str], mix: list[float]) -> list[dict[str, Any]]:
    """The primary category's files, often tests, sometimes a file of another category."""
    count = 1 + min(int(rng.paretovariate(1.6)) - 1, 40)
    picked = [primary] * count
    if primary not in ("tests", "docs") and rng.random() < 0.45:
        picked.append("tests")
    if rng.random() < 0.15:
        picked.append(rng.choices(categories, mix)[0])
    files = []
    for cat in picked:
        added, deleted = sample_lines(rng)
        files.append({"path": sample_path(rng, cat, service), "lines_added": added,
                      "lines_deleted": deleted, "category": cat})
    return files
