"""The vectorized path against the pydantic path: the same records must give the same lake rows and
the same dead letters (reason, class, message), whatever mix of good and bad records a chunk holds."""

from __future__ import annotations

import copy
import json
import random
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from aftershock.settings import EVENT_TYPES
from ingest import fast_path
from ingest.fast_spec import event_rules
from ingest.validate import Limits, Rejected, classify, classify_chunk
from lake.arrow_format import merge_tables, with_lineage
from lake.writer import Accumulator
from tests.ingest.kafka_data import event_templates
from tests.ingest.test_worker import _poison_kinds

MAX = 4000
NOW = datetime(2026, 11, 24, tzinfo=UTC)
Raw = bytes | None


def reference(raws: list[Raw]) -> tuple[Accumulator, list[tuple[int, Rejected]]]:
    acc, events, offsets, dead = Accumulator("t", 0, NOW), [], [], []
    for i, raw in enumerate(raws):
        outcome = classify(raw, Limits(MAX), Limits(MAX).window(NOW))
        if isinstance(outcome, Rejected):
            dead.append((i, outcome))
        else:
            events.append(outcome)
            offsets.append(i)
    acc.add(events, offsets)
    return acc, dead


def vectorized(raws: list[Raw]) -> tuple[Accumulator, list[tuple[int, Rejected]]]:
    acc = Accumulator("t", 0, NOW)
    outcome = classify_chunk(raws, Limits(MAX), NOW)
    fast = {t: with_lineage(table, acc.lineage(rows)) for t, (table, rows) in outcome.tables.items()}
    valid = [(i, e) for i, e in outcome.others if not isinstance(e, Rejected)]
    slow = acc.tables_of([e for _, e in valid], [i for i, _ in valid])
    acc.add_tables(merge_tables(fast, slow))
    return acc, [(i, e) for i, e in outcome.others if isinstance(e, Rejected)]


def landed(acc: Accumulator) -> dict[tuple[str, str], pa.Table]:
    return {(t, day): table.sort_by("_offset") for t, day, table in acc.tables()}


def assert_same(raws: list[Raw]) -> int:
    """Both paths agree on ``raws``; returns how many records the vectorized path took."""
    ref_acc, ref_dead = reference(raws)
    fast_acc, fast_dead = vectorized(raws)
    assert fast_dead == ref_dead
    ref, fast = landed(ref_acc), landed(fast_acc)
    assert sorted(fast) == sorted(ref)
    for key, table in ref.items():
        assert fast[key].schema == table.schema, key
        assert fast[key].to_pylist() == table.to_pylist(), key
    assert (fast_acc.events, fast_acc.duplicates) == (ref_acc.events, ref_acc.duplicates)
    split = fast_path.split(raws, MAX)
    return sum(len(rows) for _, rows in split.tables.values())


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    out = tmp_path_factory.mktemp("sim") / "events.ndjson"
    subprocess.run([sys.executable, "-m", "aftershock", "simulate", "--days", "3", "--seed", "5",
                    "--out", str(out)], check=True, capture_output=True)
    return out.read_bytes().splitlines()


def _dump(body: dict[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()


def _templates() -> list[dict[str, Any]]:
    return list(event_templates().values())


def test_every_event_type_has_rules() -> None:
    for event_type in EVENT_TYPES:
        assert fast_path.supported(event_type) and event_rules(event_type)


def test_simulated_events_land_identically_mostly_in_bulk(simulated: list[bytes]) -> None:
    taken = assert_same(list(simulated))
    assert taken > len(simulated) // 2


def test_example_events_in_every_shape_land_identically() -> None:
    raws: list[Raw] = []
    for n, body in enumerate(_templates()):
        full = body | {"event_id": f"x{n}"}
        raws.append(_dump(full))
        raws.append(json.dumps(full, indent=None).encode())  # spaces after separators
        raws.append(_dump({k: v for k, v in full.items() if v is not None} | {"event_id": f"y{n}"}))
        sparse = {k: v for k, v in full.items() if k in ("event_id", "source", "occurred_at",
                                                           "event_type", "payload")}
        raws.append(_dump(sparse | {"event_id": f"z{n}"}))
    assert assert_same(raws) >= 3 * len(_templates())  # a sparse one holding `null` may not


def test_poison_kinds_are_rejected_with_the_same_reasons() -> None:
    valid = [_dump(t | {"event_id": f"v{i}"}) for i, t in enumerate(_templates())]
    poison = [value for _reason, value in _poison_kinds()]
    raws = [v for pair in zip(valid * 3, poison, strict=False) for v in pair] + poison
    assert_same(raws)


def _set(body: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    body = copy.deepcopy(body)
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return body


def _edge_cases() -> list[Raw]:
    change, incident, action = (event_templates()[t] for t in ("change", "incident", "agent_action"))
    gate = event_templates()["gate_decision"]
    cases: list[dict[str, Any]] = []
    for stamp in ("2026-11-02T12:00:00", "2026-11-02T12:00:00+02:00", "2026-11-02T12:00:00.5-05:30",
                  "2026-11-02 12:00:00Z", "2026-11-02T12:00:00z", "2026-02-30T12:00:00Z",
                  "2026-11-02T24:00:00Z", "2026-11-02T12:00:00.1234567Z", "2026-11-02T12:00Z",
                  "2026-11-02T12:00:00+0200", "1900-01-01T00:00:00-01:00", 1700000000, "1700000000"):
        cases.append(change | {"occurred_at": stamp})
        cases.append(_set(change, ("payload", "merged_at"), stamp))
    for path, value in [
        (("payload", "author_kind"), "robot"), (("payload", "kind"), None),
        (("payload", "kind"), "merge"), (("payload", "lines_added"), -1),
        (("payload", "lines_added"), 5.0), (("payload", "lines_added"), "5"),
        (("payload", "lines_added"), True), (("payload", "forced"), "true"), (("payload", "forced"), 1),
        (("payload", "ai"), None), (("payload", "ai"), {"level": "none"}),
        (("payload", "ai", "confidence"), 1.5),
        (("payload", "ai", "confidence"), 1), (("payload", "ai", "level"), "maybe"),
        (("payload", "files"), [{"path": "a", "lines_added": -2}]), (("payload", "files"), [None]),
        (("payload", "files"), [{"path": ""}]), (("payload", "files"), [{"path": "a", "extra": 1}]),
        (("payload", "labels"), ["a", None]), (("payload", "labels"), None), (("payload", "labels"), "a"),
        (("payload", "path_categories"), ["app_code", "apps"]), (("payload", "risk"), {}),
        (("payload", "risk"), {"score": 1, "tier": "x"}), (("payload", "unknown"), None),
        (("payload", "vcs_change_title"), "x" * 70_000), (("payload", "author"), "x" * 257),
        (("payload", "author"), "é" * 256), (("payload", "author"), ""), (("payload", "author"), None),
        (("event_id",), "x" * 256), (("event_id",), "x" * 257), (("schema_version",), "1"),
        (("schema_version",), None), (("schema_version",), "١.٠"), (("source",), 7),
        (("attributes",), None), (("attributes",), {}), (("attributes",), {"a": None}),
        (("attributes",), {"a": 1}), (("attributes",), {"b": "2", "a": "1"}),
        (("attributes",), {f"k{i}": "v" for i in range(65)}), (("attributes",), {"k" * 129: "v"}),
        (("attributes",), {"k": "v" * 1025}), (("attributes",), {"k" * 128: "v" * 1024}),
        (("redactions",), None), (("redactions",), [{"path": "$.x"}]), (("unknown",), None),
        (("event_type",), None), (("event_type",), 5), (("event_type",), "deployment"),
    ]:
        cases.append(_set(change, path, value))
    for path, value in [(("payload", "severity"), 0), (("payload", "severity"), 6),
                        (("payload", "affected_services"), [{"name": "a", "criticality": 5}]),
                        (("payload", "affected_services"), [{"name": "a"}]),
                        (("payload", "affected_services"), [{"name": "a", "criticality": None}]),
                        (("payload", "error_budget_burn"), -0.1), (("payload", "causes"), [{"kind": "x"}])]:
        cases.append(_set(incident, path, value))
    secrets = ["aws s3 ls AKIAABCDEFGHIJKLMNOP", "curl -H 'Authorization: Bearer abcdefghijklmnop'",
               "export GITHUB_TOKEN=ghp_" + "a" * 36, "psql postgres://u:hunter2@db/x", "token", "ＡＫＩＡ",
               "K" + "ey=1", "\u212aey: x", "authorization:", "PASSWORD=abc"]
    for n, secret in enumerate(secrets):
        cases.append(_set(action, ("payload", "command"), secret) | {"event_id": f"s{n}"})
        cases.append(action | {"source_url": secret, "event_id": f"u{n}"})
        cases.append(action | {"attributes": {"note": secret}, "event_id": f"a{n}"})
        cases.append(_set(gate, ("payload", "inputs_json"), json.dumps({"api_key": secret})))
    raws: list[Raw] = [_dump(c | {"event_id": c.get("event_id", "e") + str(i)}) for i, c in enumerate(cases)]
    body = _dump(change)
    raws += [body.replace(b'"source":', b'"source":"a","source":'), b" " + body, body + b" ",
             body + b"\n" + body, body[:-1] + b',"x":1}', b"\xef\xbb\xbf" + body,
             body.replace(b":", b": \n", 1),
             body + body, body.replace(b'"event_type"', b'"event\\u005ftype"'),
             body.replace(b'"alice"', b'"\\u00e9l\\u00efce"'), body.replace(b'"alice"', b'"\\ud800"'),
             b"{}", b"{", b"null", b"[]", b'{"event_type":"change"}', b'{"event_type":"nope"}',
             body.replace(b'"team"', b'"te\\u0061m"'), body.replace(b'"approvals"', b'"appro\\nvals"')]
    return raws


def test_edge_cases_land_or_fail_identically() -> None:
    raws = _edge_cases()
    assert_same(raws)
    for raw in raws:
        assert_same([raw])


def test_duplicates_keep_the_lowest_offset_across_paths_and_types() -> None:
    change, deployment = event_templates()["change"], event_templates()["deployment"]
    bad_for_fast = _set(change, ("payload", "command_unknown"), None)
    raws: list[Raw] = [_dump(_set(change, ("payload", "author_kind"), "robot")),
                       _dump(change | {"event_id": "d", "attributes": {"a": "1", "b": "2"}}),
                       _dump(change | {"event_id": "d"}), _dump(deployment | {"event_id": "d"}),
                       _dump(deployment | {"event_id": "e"}), _dump(bad_for_fast),
                       _dump(change | {"event_id": "e"})]
    assert_same(raws)


def test_attribute_order_is_each_records_own() -> None:
    change = event_templates()["change"]
    orders = [{"a": "1", "b": "2"}, {"b": "2", "a": "1"}, {"b": "3"}, {"a": "4"}, {}]
    assert_same([_dump(change | {"event_id": f"o{i}", "attributes": a}) for i, a in enumerate(orders)])


def _mutations(body: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    paths: list[tuple[str, ...]] = [(k,) for k in body] + [("payload", k) for k in body["payload"]]
    path = rng.choice(paths)
    choice = rng.randrange(6)
    if choice == 0:
        body = copy.deepcopy(body)
        target = body["payload"] if len(path) == 2 else body
        del target[path[-1]]
        return body
    values: list[Any] = [None, "", "x", 0, -1, 1.5, True, [], {}, ["x"], {"k": "v"}, "2026-11-02T12:00:00Z"]
    return _set(body, path, rng.choice(values))


def test_random_mutations_agree(simulated: list[bytes]) -> None:
    rng = random.Random(3)  # noqa: S311 - test data
    bodies = _templates() + [json.loads(r) for r in simulated[:200]]
    raws: list[Raw] = []
    for i in range(1500):
        body = rng.choice(bodies) | {"event_id": f"m{i}"}
        raws.append(_dump(_mutations(body, rng) if rng.random() < 0.6 else body))
    for start in range(0, len(raws), 500):
        assert_same(raws[start:start + 500])


def test_no_value_and_oversized_go_to_the_reference(tmp_path: Path) -> None:
    big = _dump(event_templates()["change"] | {"source_ref": "x" * MAX})
    split = fast_path.split([None, big, b""], MAX)
    assert split.fallback == [0, 1, 2] and not split.tables


def test_byte_level_corruption_agrees(simulated: list[bytes]) -> None:
    """Flipped, deleted and inserted bytes (JSON punctuation, control and invalid UTF-8 bytes)."""
    rng = random.Random(5)  # noqa: S311 - test data
    bases = [_dump(t) for t in _templates()] + list(simulated[:300])
    alphabet = b'{}[]":,nultrefa0123456789.eE+-\\ \n\r\t\x00\xff\xc3'
    for round_ in range(15):
        chunk: list[Raw] = []
        for k in range(40):
            raw = bytearray(rng.choice(bases))
            for _ in range(rng.randrange(3)):
                at = rng.randrange(len(raw))
                raw[at:at + rng.randrange(2)] = bytes(rng.choices(alphabet, k=rng.randrange(3)))
            chunk.append(bytes(raw).replace(b'"event_id":"', b'"event_id":"%d-' % (round_ * 100 + k), 1))
        assert_same(chunk)


def test_explicit_nulls_are_told_from_absent_defaults() -> None:
    change = event_templates()["change"]
    sparse = {k: v for k, v in change.items() if k not in ("schema_version", "redactions", "attributes")}
    escaped = _dump(sparse | {"event_id": "n4", "schema_version": None}).replace(
        b'"schema_version"', b'"schema\\u005fversion"')
    raws: list[Raw] = [
        _dump(sparse | {"event_id": "n1", "source_ref": None}),  # defaults absent, an optional null
        _dump(sparse | {"event_id": "n2", "schema_version": None}),  # null where absent is the default
        _dump(sparse | {"event_id": "n3", "redactions": None, "source_ref": None}),
        escaped,  # the same key spelled with an escape
        _dump(sparse | {"event_id": "n5", "attributes": None}),
        _dump(sparse | {"event_id": "n6", "attributes": {"a": "1"}}),
        _dump(sparse | {"event_id": "n7", "attributes": {"b": None}}),
        _dump(_set(sparse | {"event_id": "n8"}, ("payload", "kind"), None)),
    ]
    assert_same(raws)
    for raw in raws:
        assert_same([raw])
    assert assert_same([raws[0], raws[5]]) == 2  # an unrelated null keeps the vectorized path


def test_several_attributes_keep_each_records_order() -> None:
    change = event_templates()["change"]
    clash = _dump(change | {"event_id": "c1", "attributes": {"kind": "x", "author": "y"}})  # payload keys too
    escaped = _dump(change | {"event_id": "c2", "attributes": {"a": "1", "b": "2"}}).replace(
        b'"b":', b'"\\u0062":')
    spaced = json.dumps(change | {"event_id": "c3", "attributes": {"a": "5", "b": "6"}}).encode()
    hidden = _dump(change | {"event_id": "c6", "attributes": {"kind": "2", "zeta": "1"}}).replace(
        b'{"kind":', b'{"\\u006bind":')  # the payload's "kind" is then the only plain one
    raws: list[Raw] = [_dump(change | {"event_id": "c7", "attributes": {"zeta": "1", "kind": "2"}}),
                       _dump(change | {"event_id": "c0", "attributes": {"a": "1", "b": "2"}}),
                       clash, escaped, spaced, hidden,
                       _dump(change | {"event_id": "c4", "attributes": {"b": "3", "a": "4"}}),
                       _dump(change | {"event_id": "c5", "attributes": {"a": "7", "c": "8", "b": "9"}})]
    assert_same(raws)
    for raw in raws:
        assert_same([raw])
    assert assert_same([raws[1], raws[4]]) == 2  # several attributes, the chunk's order: vectorized


def _wire_poison() -> list[Raw]:
    """Records that parsers would take but the contract refuses: deep nesting, NaN and Infinity,
    numbers beyond int64 or a double, duplicate keys at every level, implausible dates."""
    change, incident, gate = (event_templates()[t] for t in ("change", "incident", "gate_decision"))
    text = _dump(change | {"event_id": "dup"})
    deep = [b'{"event_type":"change","x":' + b"[" * n + b"]" * n + b"}" for n in (65, 300)]
    deep.append(_dump(change)[:-1] + b',"payload":' + b'{"a":' * 70 + b"1" + b"}" * 70 + b"}")
    return [
        *deep,
        _dump(gate).replace(b'"score":7.5', b'"score":NaN'),
        _dump(gate).replace(b'"score":7.5', b'"score":-Infinity'),
        _dump(gate).replace(b'"score":7.5', b'"score":1e400'),
        _dump(_set(incident, ("payload", "users_affected"), 2**63)),
        _dump(_set(incident, ("payload", "users_affected"), 2**63 - 1)),  # the largest: lands
        _dump(_set(incident, ("payload", "failed_requests"), -(2**63) - 1)),
        text.replace(b'"event_id":"dup"', b'"event_id":"dup","event_id":"dup2"'),
        text.replace(b'"kind":', b'"kind":"revert","kind":'),
        text.replace(b'"attributes":{"team":"payments"}', b'"attributes":{"team":"a","team":"b"}'),
        text.replace(b'"ai":{', b'"ai":{"level":"none",'),
        _dump(change | {"event_id": "far", "occurred_at": "9999-12-31T00:00:00Z"}),
        _dump(change | {"event_id": "old", "occurred_at": "1990-01-01T00:00:00Z"}),
        _dump(_set(change | {"event_id": "merged"}, ("payload", "merged_at"), "2099-01-01T00:00:00Z")),
        _dump(change | {"event_id": "soon", "occurred_at": "2026-11-24T23:00:00Z"}),  # lands
    ]


def test_wire_level_poison_is_rejected_identically_per_record() -> None:
    valid = [_dump(t | {"event_id": f"v{i}"}) for i, t in enumerate(_templates())]
    poison = _wire_poison()
    raws = [v for pair in zip(valid * 4, poison, strict=False) for v in pair] + poison
    assert assert_same(raws) >= len(valid)
    _acc, dead = reference(raws)
    reasons = Counter(why.reason for _, why in dead)
    assert reasons == {"too_deep": 6, "invalid": 18, "implausible": 6}
    messages = {why.message for _, why in dead}
    assert "$.payload.score: Input should be a finite number" in messages
    assert '$: duplicate key "event_id"' in messages and '$.attributes: duplicate key "team"' in messages
    assert '$.payload.ai: duplicate key "level"' in messages
    assert any(m.startswith("$.payload.merged_at: 2099-01-01T00:00:00+00:00 is later than") for m in messages)
