"""The Python evaluator (CI gate) and the DuckDB evaluation (history) agree on every change."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from analytics.rules.evaluate import evaluate_change
from analytics.rules.features import FEATURES, feature_attributes
from analytics.rules.history import score_history
from analytics.rules.model import Rules, load_rules, parse_rules
from ingest.backfill import land_events
from lake.reader import open_lake
from schemas.event import ChangeEvent, parse_obj
from simulator.effects import Effects
from simulator.world import new_context, simulate

EVERY_CONDITION = """
version = "agreement"
[[category]]
name = "iam"
globs = ["iam/*", "terraform/iam/*"]
[[category]]
name = "deploy"
globs = ["deploy/*", ".github/workflows/deploy-?????.yml"]
[[category]]
name = "code"
globs = ["src/*"]
[[category]]
name = "sql"
globs = ["*.sql"]
[[rule]]
id = "always"
weight = 0.125
[[rule]]
id = "iam-or-deploy"
weight = 2.5
when.categories_any = ["iam", "deploy"]
[[rule]]
id = "ai-heavy"
weight = 1.333
when.ai_levels = ["co_authored", "agent_authored"]
[[rule]]
id = "revert"
weight = -1.0
when.kinds = ["revert"]
[[rule]]
id = "agent-author"
weight = 0.7
when.author_kinds = ["agent"]
[[rule]]
id = "mid-size"
weight = 0.9
when.lines_changed_min = 100
when.lines_changed_max = 400
[[rule]]
id = "adds-a-lot"
weight = 1.1
when.lines_added_min = 300
[[rule]]
id = "many-files"
weight = 0.4
when.files_min = 3
[[rule]]
id = "critical-sql"
weight = 2.0
when.criticality_max = 2
when.categories_any = ["sql"]
[[rule]]
id = "code-critical"
weight = 0.6
when.categories_any = ["code"]
when.criticality_max = 1
[[rule]]
id = "dangerous-diff"
weight = 1.75
when.signals_any = ["iam_wildcard", "irreversible_migration"]
[[rule]]
id = "no-safety-net"
weight = 0.8
when.signals_any = ["feature_flag_removed", "rollout_stage_removed"]
when.categories_any = ["deploy", "code"]
[[rule]]
id = "many-dependents"
weight = 0.55
when.dependents_min = 3
[[rule]]
id = "deletes"
weight = 0.35
when.lines_deleted_min = 20
[[rule]]
id = "diffuse"
weight = 0.45
when.subsystems_min = 2
when.directories_min = 3
[[rule]]
id = "entropy"
weight = 0.31
when.entropy_min = 0.5
[[rule]]
id = "big-files"
weight = 0.21
when.lines_before_min = 800
[[rule]]
id = "crowded"
weight = 0.17
when.developers_min = 4.5
[[rule]]
id = "stale"
weight = -0.19
when.age_days_min = 30.25
[[rule]]
id = "churny"
weight = 0.13
when.prior_changes_min = 10
[[rule]]
id = "veteran"
weight = -0.4
when.author_changes_min = 100
when.author_recent_changes_min = 2.5
[[rule]]
id = "local-expert"
weight = -0.27
when.author_subsystem_changes_min = 20
[[rule]]
id = "a-fix"
weight = 0.66
when.fix_min = 1
[[term]]
id = "log-lines-added"
measure = "lines_added"
weight = 0.413
transform = "log1p"
[[term]]
id = "log-lines-deleted"
measure = "lines_deleted"
weight = -0.257
[[term]]
id = "log-lines-changed"
measure = "lines_changed"
weight = 0.091
[[term]]
id = "log-files"
measure = "files"
weight = 0.333
[[term]]
id = "log-subsystems"
measure = "subsystems"
weight = 0.777
[[term]]
id = "log-directories"
measure = "directories"
weight = -0.5
[[term]]
id = "log-entropy"
measure = "entropy"
weight = 0.125
[[term]]
id = "log-lines-before"
measure = "lines_before"
weight = 0.002
[[term]]
id = "log-developers"
measure = "developers"
weight = -0.019
[[term]]
id = "log-age-days"
measure = "age_days"
weight = 1.5
[[term]]
id = "log-prior-changes"
measure = "prior_changes"
weight = 0.061
[[term]]
id = "log-author-changes"
measure = "author_changes"
weight = -0.333
[[term]]
id = "log-author-recent-changes"
measure = "author_recent_changes"
weight = 0.25
[[term]]
id = "log-author-subsystem-changes"
measure = "author_subsystem_changes"
weight = 0.999
[[term]]
id = "log-fix"
measure = "fix"
weight = -0.071
[[tier]]
name = "low"
min_score = 0.5
[[tier]]
name = "medium"
min_score = 2.5
[[tier]]
name = "high"
min_score = 4.058
"""


def _edge_cases(template: dict[str, Any]) -> list[dict[str, Any]]:
    """Changes that stress the semantics: missing totals, missing lines, no files, odd attributes,
    and a change seen twice (the later event counts)."""
    def variant(n: int, **changes: Any) -> dict[str, Any]:
        payload = dict(template["payload"]) | changes.pop("payload", {})
        return template | {"event_id": f"edge-{n}", "change_id": f"edge#{n}", "payload": payload} | changes

    files = [{"path": "iam/policies/a.json", "lines_added": None, "lines_deleted": 5},
             {"path": "migrations/0001_x.sql", "lines_added": 250, "lines_deleted": None}]
    return [
        variant(1, payload={"lines_added": None, "lines_deleted": None, "files": files}),
        variant(2, payload={"files": [], "lines_added": None, "lines_deleted": None}),
        variant(3, attributes={"service.criticality": "0"}, payload={"files": files}),
        variant(4, attributes={"service.criticality": " 1"}),
        variant(5, attributes={}, payload={"ai": {"level": "unknown"}}),
        variant(7, payload={"lines_added": 300, "lines_deleted": 100}),
        variant(8, payload={"lines_added": 60, "lines_deleted": 40}),
        variant(9, payload={"lines_added": 401, "lines_deleted": 0}),
        variant(10, attributes={"change.signals": ""}),
        variant(11, attributes={"change.signals": ",iam_wildcard,,"}),
        variant(12, attributes={"change.signals": "IAM_WILDCARD, iam_wildcard"}),
        variant(13, attributes={"service.dependents": "03"}),
        variant(14, attributes={"service.dependents": "-4"}),
        variant(15, attributes={"service.dependents": "\u0663"}),
        variant(16, attributes={"service.dependents": "1234567890"}),
        variant(17, attributes={"change.entropy": "0.5", "change.fix": "1"}),
        variant(18, attributes={"change.entropy": "0.4995", "change.fix": "0.9995"}),  # rounds up
        variant(19, attributes={"change.entropy": "0.4994999", "change.fix": "0.9994"}),  # down
        variant(20, attributes={"change.entropy": "-1", "change.fix": "1e3", "change.age_days": " 40"}),
        variant(21, attributes={"change.developers": "4.5", "change.age_days": "30.25"}),
        variant(22, attributes={"change.developers": "4.4994", "change.age_days": "30.2495"}),
        variant(23, attributes={"change.files_changed": "4"}, payload={"files": []}),
        variant(24, attributes={"change.files_changed": "4"}, payload={"files": files}),  # the larger
        variant(26, attributes={"change.files_changed": "1"}, payload={"files": files}),  # the list
        variant(25, attributes={"change.files_changed": "x4"}, payload={"files": []}),
        variant(6, occurred_at="2026-01-05T10:00:00Z", payload={"lines_added": 1}),
        variant(6, event_id="edge-6b", occurred_at="2026-01-05T11:00:00Z", payload={"lines_added": 350}),
    ]


def _with_features(event: dict[str, Any], i: int) -> dict[str, Any]:
    """The simulated change with change features as a source would record them; some unknown."""
    rng = random.Random(i)  # noqa: S311 (test data, not secrets)
    values = {name: rng.choice((0, 1, 2, 3, 5, 8, 20, 40, 100, 1000)) * rng.choice((1.0, 0.5, 0.0625, 1.1))
              for name in FEATURES if rng.random() < 0.8}
    values["fix"] = float(rng.random() < 0.3)
    return event | {"attributes": event.get("attributes", {}) | feature_attributes(values)}


@pytest.fixture(scope="module")
def changes(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[ChangeEvent]]:
    ctx = new_context(Effects(), seed=11, days=5)
    simulated = [e for e in simulate(ctx) if e["event_type"] == "change"]
    raw = [_with_features(e, i) for i, e in enumerate(simulated)]
    events = [parse_obj(e) for e in raw + _edge_cases(raw[0])]
    lake = tmp_path_factory.mktemp("lake")
    land_events(lake, events)
    latest: dict[str, ChangeEvent] = {}
    for event in events:
        assert isinstance(event, ChangeEvent) and event.change_id
        if event.change_id not in latest or event.occurred_at >= latest[event.change_id].occurred_at:
            latest[event.change_id] = event
    return lake, list(latest.values())


def _compare(lake: Path, rules: Rules, events: list[ChangeEvent]) -> dict[str, int]:
    con = open_lake(lake)
    score_history(con, rules)
    rows = con.execute("SELECT change_id, score, tier, rules_fired, categories, term_milli FROM rule_scores"
                       ).fetchall()
    sql = {r[0]: (r[1], r[2], tuple(r[3]), tuple(r[4]), r[5]) for r in rows}
    assert len(sql) == len(events) >= 300
    fired_count = {r.id: 0 for r in rules.rule} | {t.id: 0 for t in rules.term}
    for event in events:
        a = evaluate_change(rules, event)
        term_milli = sum(round(m * 1000) for _, m in a.terms)
        python = (a.score, a.tier, a.rules_fired, a.categories, term_milli)
        assert sql[event.change_id] == python, event.change_id
        for rule_id in a.rules_fired + tuple(i for i, m in a.terms if m != 0):
            fired_count[rule_id] += 1
    return fired_count


def test_every_condition_agrees(changes: tuple[Path, list[ChangeEvent]]) -> None:
    lake, events = changes
    rules = parse_rules(EVERY_CONDITION, "test")
    fired = _compare(lake, rules, events)
    assert all(0 < n < len(events) for rule_id, n in fired.items() if rule_id != "always"), fired


def test_default_rules_agree(changes: tuple[Path, list[ChangeEvent]]) -> None:
    lake, events = changes
    fired = _compare(lake, load_rules(None), events)
    assert all(n > 0 for n in fired.values()), fired


CATALOG = """
[[services]]
name = "core"
repositories = ["acme/core"]
criticality = 2
""" + "".join(f'[[services]]\nname = "user{i}"\ndepends_on = ["{"core" if i == 0 else f"user{i - 1}"}"]\n'
              for i in range(4))


def test_classify_and_history_agree_on_the_same_change(tmp_path: Path) -> None:
    """``aftershock classify`` on a real git change, then the same change as an event in a lake
    scored by the backtest's evaluation: same score, tier, fired rules and categories."""
    from tests.gate.conftest import run_cli
    from tests.gate.gitrepo import commit, init

    repo, rules, catalog, spool = (tmp_path / "core", tmp_path / "rules.toml", tmp_path / "catalog.toml",
                                   tmp_path / "spool.ndjson")
    rules.write_text(EVERY_CONDITION)
    catalog.write_text(CATALOG)
    init(repo)
    base = commit(repo, {"iam/p.json": "{}\n", "src/app.py": "a = 1\n", "config/flags/f.json": '"x": 1\n'},
                  "base")
    head = commit(repo, {"iam/p.json": '{"Action": "*"}\n',
                         "migrations/2.sql": "".join(f"DROP TABLE t{i};\n" for i in range(150)),
                         "src/app.py": 'if is_enabled("x"):\n    a = 2\n', "config/flags/f.json": None},
                  "Change\n\nAssisted-by: Cursor")
    done = run_cli("classify", "--git", f"{base}..{head}", "--repo", str(repo), "--rules", str(rules),
                   "--catalog", str(catalog), "--format", "json", "--emit", str(spool),
                   "--repository", "acme/core")
    d = json.loads(done.stdout)
    assert d["rules_fired"], done.stderr
    inputs = json.loads(json.loads(spool.read_text())["payload"]["inputs_json"])
    attributes = inputs.pop("attributes")
    assert attributes == {"service.criticality": "2", "service.dependents": "4",
                          "change.signals": "iam_wildcard,irreversible_migration,feature_flag_removed"}
    event = parse_obj({"event_id": "agree-1", "event_type": "change", "source": "test",
                       "occurred_at": "2026-02-01T00:00:00Z", "change_id": d["change_id"],
                       "attributes": attributes,
                       "payload": inputs | {"vcs_repository_name": "acme/core", "author": "alice"}})
    lake = tmp_path / "lake"
    land_events(lake, [event])
    con = open_lake(lake)
    score_history(con, parse_rules(EVERY_CONDITION, "test"))
    row = con.execute("SELECT score, tier, rules_fired, categories FROM rule_scores").fetchall()
    assert row == [(d["score"], d["tier"], [r["id"] for r in d["rules_fired"]],
                    [c["name"] for c in d["categories"]])]
    assert {"dangerous-diff", "no-safety-net", "many-dependents", "critical-sql", "ai-heavy"} <= \
        set(row[0][2])


def test_feature_conditions_compare_in_thousandths() -> None:
    """A feature is known only as a plain non-negative decimal, and compared rounded half up to
    thousandths: 0.4995 reaches 0.5, 0.4994999 does not; a missing or malformed value never does."""
    from analytics.rules.evaluate import evaluate, facts_of

    rules = parse_rules(EVERY_CONDITION, "test")

    def fired(attributes: dict[str, str]) -> set[str]:
        return set(evaluate(rules, facts_of({"files": []}, attributes)).rules_fired)

    assert "entropy" in fired({"change.entropy": "0.4995"})
    assert "entropy" not in fired({"change.entropy": "0.4994999"})
    assert "entropy" not in fired({}) | fired({"change.entropy": "5e1"}) | fired({"change.entropy": "+1"})
    assert "veteran" in fired({"change.author_changes": "100", "change.author_recent_changes": "2.5"})
    assert "veteran" not in fired({"change.author_changes": "100"})  # both conditions must hold
