"""``aftershock import --source defects``: SZZ-style CSV/JSON defect links land as defect_link
events, once however often the file is imported; bad rows are named by file:line and counted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapters.defects import link_event_id
from aftershock.cli import main
from aftershock.errors import ExitCode
from aftershock.settings import KafkaSettings
from lake.reader import open_lake
from tests.sdk.helpers import read_topics

CSV = (
    "change,fixed_by,origin,evidence,fixed_at\n"
    "acme/payments@9f1c2e7,acme/payments#57,szz,https://github.com/acme/payments/issues/311,"
    "2026-11-03T10:00:00Z\n"
    "acme/payments@1111111,acme/payments@2222222,,,\n"
    "acme/checkout#7,acme/checkout#9,tracker,\"note, with a comma\",\n"
)


def _links(lake: Path) -> list[tuple[str, str, str, str, str | None]]:
    con = open_lake(lake)
    rows = con.execute("SELECT event_id, change, fixed_by, origin, evidence FROM defect_link ORDER BY change")
    return rows.fetchall()


def test_links_land_once_with_the_pair_as_their_id(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path, lake = tmp_path / "links.csv", tmp_path / "lake"
    path.write_text(CSV)
    for _ in range(2):
        assert main(["import", "--source", "defects", str(path), "--lake", str(lake)]) == ExitCode.OK
        assert "3 items -> 3 events" in capsys.readouterr().err
    assert _links(lake) == [
        (link_event_id("acme/checkout#7", "acme/checkout#9"), "acme/checkout#7", "acme/checkout#9",
         "tracker", "note, with a comma"),
        (link_event_id("acme/payments@1111111", "acme/payments@2222222"), "acme/payments@1111111",
         "acme/payments@2222222", "szz", None),
        (link_event_id("acme/payments@9f1c2e7", "acme/payments#57"), "acme/payments@9f1c2e7",
         "acme/payments#57", "szz", "https://github.com/acme/payments/issues/311"),
    ]
    con = open_lake(lake)
    assert con.execute("SELECT count(*) FROM change").fetchone() == (0,)  # no change invented
    assert con.execute("SELECT occurred_at::VARCHAR, source_url FROM defect_link "
                       "WHERE change = 'acme/payments@9f1c2e7'").fetchone() == (
        "2026-11-03 10:00:00+00", "https://github.com/acme/payments/issues/311")


def test_bad_csv_rows_are_named_by_line_and_the_good_ones_land(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, lake = tmp_path / "links.csv", tmp_path / "lake"
    path.write_text("change,fixed_by,origin,fixed_at\n"
                    "a@1,a@2,szz,\n"
                    "a@3,,szz,\n"
                    "a@4,a@5,blame,\n"
                    "a@6,a@7,,yesterday\n"
                    "a@8,a@9,manual,\n")
    assert main(["import", "--source", "defects", str(path), "--lake", str(lake)]) == ExitCode.REJECTED
    err = capsys.readouterr().err
    assert f"{path}:3: needs non-empty text \"change\" and \"fixed_by\"" in err
    assert f"{path}:4: origin 'blame' is not one of szz, tracker, manual, other" in err
    assert f"{path}:5: fixed_at 'yesterday' is not RFC 3339" in err
    assert "5 items -> 2 events" in err and "3 rejected" in err
    assert [r[1] for r in _links(lake)] == ["a@1", "a@8"]


def test_json_rows_are_named_by_their_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, lake = tmp_path / "links.json", tmp_path / "lake"
    path.write_text('{"tool": "pyszz", "defects": [\n'
                    '  {"change": "b@1", "fixed_by": "b@2"},\n'
                    '  {"change": "b@3"},\n'
                    '  "b@4",\n'
                    '  {"change": "b@5", "fixed_by": "b@6", "origin": "manual"}\n'
                    "]}\n")
    assert main(["import", "--source", "defects", str(path), "--lake", str(lake)]) == ExitCode.REJECTED
    err = capsys.readouterr().err
    assert f"{path}:3: needs non-empty text" in err
    assert f"{path}:4: a link must be an object" in err
    assert [r[1:4] for r in _links(lake)] == [("b@1", "b@2", "szz"), ("b@5", "b@6", "manual")]


def test_a_file_without_the_columns_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "links.csv"
    path.write_text("commit,fix\na,b\n")
    code = main(["import", "--source", "defects", str(path), "--lake", str(tmp_path / "lake")])
    assert code == ExitCode.CONFIG
    assert "CSV header lacks ['change', 'fixed_by']" in capsys.readouterr().err


@pytest.mark.kafka
def test_links_go_to_their_topic(tmp_path: Path, kafka_bootstrap: str, topic_prefix: str,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AFTERSHOCK_KAFKA__BOOTSTRAP_SERVERS", kafka_bootstrap)
    monkeypatch.setenv("AFTERSHOCK_KAFKA__TOPIC_PREFIX", topic_prefix)
    path = tmp_path / "links.json"
    path.write_text(json.dumps([{"change": "c@1", "fixed_by": "c@2"}, {"change": "c@3", "fixed_by": "c@4"}]))
    code = main(["import", "--source", "defects", str(path), "--spool", str(tmp_path / "sp")])
    assert code == ExitCode.OK
    got = read_topics(kafka_bootstrap, KafkaSettings(topic_prefix=topic_prefix), 2)
    assert sorted((r["payload"]["change"], r["_topic"], r["_key"]) for r in got) == [
        ("c@1", f"{topic_prefix}defect_links", b"c@1"), ("c@3", f"{topic_prefix}defect_links", b"c@3")]
