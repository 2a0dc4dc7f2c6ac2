"""Landed defect links label changes: the change outcomes count a deployed change named by a
landed ``defect_link`` as failed ("defect_link"), and the rules commands use them, beside a
``--defects`` file. Compared with the same hand-checked lake (fixture.py) without the links: a link
creates no change and changes none of a change's fields, whether it landed before or after it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aftershock.cli import main
from analytics.outcomes import change_outcomes
from ingest.backfill import land_events
from lake.reader import open_lake
from schemas.defect_link import DefectLink
from schemas.event import DefectLinkEvent
from tests.analytics.fixture import T0, all_events

# payments@a1 (shipped by D1, no failure of its own) named before its change lands, by change_id;
# checkout@d4 (shipped by D7) by its commit sha "d4"; search@i9 already failed (D10) and keeps its
# reason; ghost@00 is in no event of the lake
LINKS = (("payments@a1", "payments@a2"), ("d4", "checkout#12"), ("search@i9", "search@j9"),
         ("ghost@00", "ghost@01"))
SPLIT = "2026-10-01"


def link(change: str, fixed_by: str) -> DefectLinkEvent:
    return DefectLinkEvent(event_id=f"dl-{change}", source="aftershock.defects", occurred_at=T0,
                           payload=DefectLink(change=change, fixed_by=fixed_by, origin="szz"))


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("linked") / "lake"
    land_events(path, [link(*LINKS[0])])  # before the change it names
    land_events(path, all_events())
    land_events(path, [link(*pair) for pair in LINKS[1:]])  # after
    return path


def _outcomes(lake: Path) -> dict[str, tuple[bool, str | None]]:
    con = open_lake(lake)
    rows = change_outcomes(con).select("change_id, failed, failure_reason").fetchall()
    return {c: (f, r) for c, f, r in rows}


def test_a_landed_link_fails_the_change_it_names(lake: Path, linked: Path) -> None:
    before, after = _outcomes(lake), _outcomes(linked)
    assert before["payments@a1"] == before["checkout@d4"] == (False, None)
    changed = {c: after[c] for c in after if after[c] != before[c]}
    assert changed == {"payments@a1": (True, "defect_link"), "checkout@d4": (True, "defect_link")}
    assert after["search@i9"] == before["search@i9"] == (True, "failed_deployment")


def test_a_link_invents_no_change_and_overwrites_none(lake: Path, linked: Path) -> None:
    tables = {}
    for name, path in (("plain", lake), ("linked", linked)):
        con = open_lake(path)
        change_outcomes(con)  # builds the model
        tables[name] = con.execute("SELECT * FROM a_changes ORDER BY change_id").fetchall()
        if name == "linked":
            resolved = con.execute("SELECT change_ref, change_id FROM a_defect_links ORDER BY 1").fetchall()
    assert tables["linked"] == tables["plain"]
    assert resolved == [("d4", "checkout@d4"), ("ghost@00", None), ("payments@a1", "payments@a1"),
                        ("search@i9", "search@i9")]


def _backtest(lake: Path, capsys: pytest.CaptureFixture[str], *more: str) -> tuple[dict[str, int], str]:
    capsys.readouterr()
    assert main(["rules", "backtest", "--rules", "analytics/rules/default.toml", "--lake", str(lake),
                 "--split", SPLIT, "--format", "json", *more]) == 0
    captured = capsys.readouterr()
    return json.loads(captured.out), captured.err


def test_rules_label_from_landed_links(lake: Path, linked: Path, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    plain, _ = _backtest(lake, capsys)
    with_links, _ = _backtest(linked, capsys)
    assert with_links["changes"] == plain["changes"]
    assert with_links["failed"] == plain["failed"] + 2  # a1 and d4; i9 had failed already
    defects = tmp_path / "defects.csv"
    defects.write_text("change,fixed_by\npayments@b2,payments@e5\n")
    from_file, _ = _backtest(lake, capsys, "--defects", str(defects))
    both, err = _backtest(linked, capsys, "--defects", str(defects))
    assert from_file["failed"] == 1
    assert both["failed"] == 4  # b2 from the file; a1, d4 (by sha) and i9 landed
    assert "1 defective change(s) named in" in err  # ghost@00
