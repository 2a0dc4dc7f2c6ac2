"""Change features derived from history: ``aftershock classify --git --history-features`` on a real
git repository and the lake's SQL derivation over the same commits landed as change events give
the same value, feature by feature (analytics/rules/derive.py states the one definition)."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from analytics.rules.derive import DERIVED, Change, Earlier, derive
from analytics.rules.features import features_of, milli
from analytics.rules.history import derive_features, score_history
from analytics.rules.model import parse_rules
from ingest.backfill import land_events
from lake.reader import open_lake
from schemas.event import parse_obj
from tests.gate.conftest import run_cli

START = datetime(2025, 1, 1, tzinfo=UTC)
PEOPLE = {"alice": "Alice <alice@example.com>", "bob": "Bob <bob@example.com>",
          "carol": "Carol <carol@example.com>"}
# (author, day, files written (None = deleted), message)
HISTORY: list[tuple[str, int, dict[str, str | None], str]] = [
    ("alice", 0, {"src/a.py": "a\nb\nc\n", "src/b.py": "x\n", "docs/x.md": "doc\n"}, "Initial"),
    ("bob", 10, {"src/a.py": "a\nB\nc\nd\n", "lib/c.py": "c = 1\n"}, "Add c"),
    ("alice", 40, {"lib/c.py": "c = 2\n", "src/b.py": None}, "Fix crash in c"),
    ("carol", 100, {"docs/x.md": "more doc\n"}, "Docs (prefix not a word: fixture)"),
    ("alice", 200, {"lib/c.py": "c = 3\nd = 4\n", "docs/x.md": "doc 3\n"}, "Tidy"),
    ("bob", 400, {"src/a.py": "a\nB\nC\nd\ne\n", "lib/c.py": "c = 3\nd = 5\n", "README.md": "hi\n",
                  "lib/sub/d.py": "d\n" * 7}, "Bugfix: a and c"),
]


def _git(repo: Path, *args: str, who: str = "alice", day: int = 0) -> str:
    when = (START + timedelta(days=day, seconds=37 * day)).isoformat()
    name, email = PEOPLE[who].removesuffix(">").split(" <")
    env = os.environ | {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": name,
                        "GIT_COMMITTER_EMAIL": email, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when,
                        "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, env=env,
                          check=True)
    return done.stdout.strip()


def _repository(repo: Path) -> list[dict[str, Any]]:
    """Make the commits of HISTORY; each as the change event an importer would land."""
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "remote", "add", "origin", "git@github.com:acme/payments.git")
    events = []
    for who, day, files, message in HISTORY:
        for rel, content in files.items():
            path = repo / rel
            if content is None:
                path.unlink()
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(content, encoding="utf-8")
        _git(repo, "add", "-A", who=who, day=day)
        _git(repo, "commit", "-q", "-m", message, who=who, day=day)
        sha = _git(repo, "rev-parse", "HEAD")
        stats = [line.split("\t") for line in _git(repo, "show", "--numstat", "--format=", sha).splitlines()]
        when = datetime.fromtimestamp(int(_git(repo, "log", "-1", "--format=%ct", sha)), UTC)
        events.append({
            "event_id": f"git:{sha}", "event_type": "change", "source": "git",
            "occurred_at": when.isoformat(), "change_id": f"acme/payments@{sha}", "service_name": "payments",
            "payload": {"vcs_repository_name": "acme/payments", "vcs_ref_head_revision": sha,
                        "kind": "commit", "author": PEOPLE[who], "author_kind": "human",
                        "vcs_change_title": message, "commit_shas": [sha],
                        "files": [{"path": p, "lines_added": int(a), "lines_deleted": int(d)}
                                  for a, d, p in stats]}})
    return events


def test_classify_from_git_and_sql_from_the_lake_derive_the_same_features(tmp_path: Path) -> None:
    repo = tmp_path / "payments"
    events = _repository(repo)
    lake = tmp_path / "lake"
    land_events(lake, [parse_obj(e) for e in events])
    con = open_lake(lake)
    derive_features(con)
    columns = ", ".join(DERIVED)
    sql = {r[0]: dict(zip(DERIVED, r[1:], strict=True))
           for r in con.execute(f"SELECT change_id, {columns} FROM change_derived").fetchall()}  # noqa: S608
    assert len(sql) == len(HISTORY)

    head, base = (e["payload"]["vcs_ref_head_revision"] for e in (events[-1], events[-2]))
    spool = tmp_path / "spool.ndjson"
    done = run_cli("classify", "--git", f"{base}..{head}", "--repo", str(repo), "--history-features",
                   "--format", "json", "--emit", str(spool))
    change_id = json.loads(done.stdout)["change_id"]
    attributes = json.loads(json.loads(spool.read_text())["payload"]["inputs_json"])["attributes"]
    from_git = features_of(attributes)
    assert from_git == sql[change_id], (from_git, sql[change_id])
    # the head: 3 subsystems (src, lib, the root), 4 directories, 3 earlier changes to its paths by
    # 2 developers, bob's 1 earlier change (in lib), a fix by its title
    rules = parse_rules('version = "d"\n[[rule]]\nid = "crowded"\nweight = 1\nwhen.developers_min = 2\n'
                        '[[tier]]\nname = "low"\nmin_score = 0\n', "test")
    score_history(con, rules)  # scoring reads the derived values where an event lacks the attribute
    fired = dict(con.execute("SELECT change_id, rules_fired FROM rule_scores").fetchall())
    assert fired[change_id] == ["crowded"] and sum(bool(f) for f in fired.values()) == 3
    assert {k: from_git[k] for k in ("subsystems", "directories", "prior_changes", "developers",
                                     "author_changes", "author_subsystem_changes", "fix")} == \
        {"subsystems": 3000, "directories": 4000, "prior_changes": 4000, "developers": 2000,
         "author_changes": 1000, "author_subsystem_changes": 1000, "fix": 1000}


def test_the_python_definition_matches_sql_on_every_change(tmp_path: Path) -> None:
    events = _repository(tmp_path / "payments")
    lake = tmp_path / "lake"
    land_events(lake, [parse_obj(e) for e in events])
    con = open_lake(lake)
    derive_features(con)
    columns = ", ".join(DERIVED)
    sql = {r[0]: dict(zip(DERIVED, r[1:], strict=True))
           for r in con.execute(f"SELECT change_id, {columns} FROM change_derived").fetchall()}  # noqa: S608
    history = [Earlier(datetime.fromisoformat(e["occurred_at"]), e["payload"]["author"],
                       tuple(f["path"] for f in e["payload"]["files"])) for e in events]
    for e in events:
        p = e["payload"]
        change = Change(datetime.fromisoformat(e["occurred_at"]), p["author"],
                        tuple(f["path"] for f in p["files"]),
                        tuple(f["lines_added"] + f["lines_deleted"] for f in p["files"]),
                        p["vcs_change_title"])
        python = {k: milli(v) for k, v in derive(change, history).items()}
        assert python == sql[e["change_id"]], e["change_id"]
    assert sum(row["fix"] for row in sql.values()) == 2000  # "Fix crash", "Bugfix:"; not "prefix"
