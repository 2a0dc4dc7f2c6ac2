"""Diff detectors on hand-written diffs (pure logic: no git needed), and patch parsing."""

from __future__ import annotations

import pytest

from gate.detectors import detect
from gate.diff import FileDiff, parse_patch


def fd(path: str, added: list[str] | None = None, removed: list[str] | None = None) -> FileDiff:
    added, removed = added or [], removed or []
    return FileDiff(path, len(added), len(removed), added, removed)


@pytest.mark.parametrize(("file", "signal"), [
    (fd("iam/admin.json", ['      "Action": "*",']), "iam_wildcard"),
    (fd("policies/s3.json", ['  "Action": ["s3:*"],']), "iam_wildcard"),
    (fd("iam/trust.json", ['  "Principal": {"AWS": "*"},']), "iam_wildcard"),
    (fd("terraform/iam/role.tf", ['    actions   = ["*"]']), "iam_wildcard"),
    (fd("k8s/rbac.yaml", ['  verbs: ["*"]']), "iam_wildcard"),
    (fd(".github/workflows/ci.yml", ["permissions: write-all"]), "ci_permissions_widened"),
    (fd(".github/workflows/ci.yml", ["  pull_request_target:"]), "ci_permissions_widened"),
    (fd(".github/workflows/ci.yml", ["  contents: write"]), "ci_permissions_widened"),
    (fd(".gitlab-ci.yml", ["    id-token: write"]), "ci_permissions_widened"),
    (fd("migrations/0042_drop.sql", ["DROP TABLE legacy_orders;"]), "irreversible_migration"),
    (fd("db/schema.sql", ["ALTER TABLE t DROP COLUMN email;"]), "irreversible_migration"),
    (fd("migrations/0043.sql", ["ALTER TABLE t ALTER COLUMN amount TYPE integer;"]),
     "irreversible_migration"),
    (fd("app/migrations/0007_x.py", ["        migrations.RemoveField(model_name='o', name='n'),"]),
     "irreversible_migration"),
    (fd("src/pay.py", ["    charge()"], ['    if flags.is_enabled("new-checkout"):']),
     "feature_flag_removed"),
    (fd("config/flags/prod.json", [], ['  "new_checkout": true,']), "feature_flag_removed"),
    (fd("deploy/rollout.yaml", [], ["      - setWeight: 10", "      - pause: {duration: 10m}"]),
     "rollout_stage_removed"),
])
def test_detector_fires(file: FileDiff, signal: str) -> None:
    assert signal in detect([file])


@pytest.mark.parametrize("file", [
    fd("iam/admin.json", ['  "Action": "s3:GetObject",', '  "Resource": "*"']),  # a wildcard resource only
    fd("src/iam.py", ['    actions = "read"']),
    fd("docs/ci.md", ["permissions: write-all"]),  # not a workflow file
    fd(".github/workflows/ci.yml", ["permissions:", "  contents: read"]),
    fd("migrations/0042.sql", ["CREATE TABLE orders (id bigint);"]),
    fd("migrations/0042.sql", ["ALTER TABLE t ALTER COLUMN amount TYPE bigint;"]),
    fd("src/app.py", [], ["# drop table is mentioned in a removed comment"]),
    fd("src/pay.py", ['    if flags.is_enabled("new-checkout") and ok:'],
       ['    if flags.is_enabled("new-checkout"):']),  # the flag is still referenced
    fd("deploy/rollout.yaml", ["      - setWeight: 20"], ["      - setWeight: 10"]),  # a step changed
])
def test_detector_stays_quiet(file: FileDiff) -> None:
    assert detect([file]) == {}


def test_parse_patch_counts_lines_and_keeps_paths() -> None:
    patch = "\n".join([
        "diff --git a/sql/x.sql b/sql/x.sql", "index 1..2 100644", "--- a/sql/x.sql", "+++ b/sql/x.sql",
        "@@ -1 +1,2 @@", "--- a removed SQL comment", "+DROP TABLE t;", "+-- added comment",
        "diff --git a/old.txt b/old.txt", "deleted file mode 100644", "--- a/old.txt", "+++ /dev/null",
        "@@ -1 +0,0 @@", "-bye",
        "diff --git a/a.bin b/a.bin", "Binary files a/a.bin and b/a.bin differ",
        "diff --git a/x/old name.py b/y/new name.py", "similarity index 100%",
        "rename from x/old name.py", "rename to y/new name.py", "",
    ])
    files = parse_patch(patch)
    assert [(f.path, f.lines_added, f.lines_deleted) for f in files] == [
        ("sql/x.sql", 2, 1), ("old.txt", 0, 1), ("a.bin", 0, 0), ("y/new name.py", 0, 0)]
    assert files[0].removed == ["-- a removed SQL comment"]
