"""Defect links landed as events label exactly what the same links given as a file label, on the
public JIT defect-prediction data of OpenStack and Qt (``../shared/jit-data``, SOURCES.md there).

Run: python bench/defect_links_landed.py [--data DIR] [--sets openstack,qt]
For each set, the commits become change events (bench/jit_dp.py) landed into two lakes. Lake A is
labelled from the SZZ labels written as a ``--defects`` file naming each buggy change by its
change_id. Into lake B the same labels are imported with ``aftershock import --source defects``,
naming each buggy change by its bare commit sha only (resolved through the change's commit shas),
imported twice, and lake B is labelled from the landed links alone (an empty file). Prints, per
set, the changes, the failed ones under each labelling, whether the two labellings agree change
by change, the defect_link rows landed, and the naive baseline (the share of buggy commits in the
data set, i.e. what labelling every commit "failed" would call precision).
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from jit_dp import DEFAULT_DATA, change_events, defect_links, read_set  # noqa: E402


def labels(lake: Path, links: Path) -> dict[str, bool]:
    from analytics.rules.labels import label_from_defects
    from lake.reader import open_lake

    con = open_lake(lake)
    label_from_defects(con, links)
    return dict(con.execute("SELECT change_id, failed FROM change_label").fetchall())


def run_set(name: str, data: Path, work: Path) -> dict[str, object]:
    from aftershock.cli import main as cli
    from ingest.backfill import land_events
    from lake.reader import open_lake

    rows = read_set(data / f"{name}_k_feature.csv")
    file_lake, landed_lake = work / f"{name}-file", work / f"{name}-landed"
    land_events(file_lake, change_events(name, rows))
    land_events(landed_lake, change_events(name, rows))
    by_file = labels(file_lake, defect_links(name, rows, work / f"{name}-defects.json"))
    shas = work / f"{name}-shas.csv"
    with shas.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["change", "fixed_by", "origin"])
        out.writerows([r["sha"], f"szz-fix-of-{r['sha']}", "szz"] for r in rows if r["bug"])
    for _ in range(2):
        if cli(["import", "--source", "defects", str(shas), "--lake", str(landed_lake)]) != 0:
            raise SystemExit(f"import of {shas} failed")
    empty = work / "empty.csv"
    empty.write_text("change,fixed_by\n", encoding="utf-8")
    by_landed = labels(landed_lake, empty)
    landed = open_lake(landed_lake).execute("SELECT count(*) FROM defect_link").fetchone()
    return {"set": name, "changes": len(rows), "buggy": sum(r["bug"] for r in rows),
            "failed_file": sum(by_file.values()), "failed_landed": sum(by_landed.values()),
            "agree": by_file == by_landed, "links_landed": landed[0] if landed else 0,
            "baseline": sum(r["bug"] for r in rows) / len(rows)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sets", default="openstack,qt")
    args = parser.parse_args(argv)
    print(f"{'set':10} {'changes':>8} {'buggy':>6} {'failed(file)':>13} {'failed(landed)':>15} "
          f"{'agree':>6} {'links':>6} {'baseline':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.sets.split(","):
            r = run_set(name, args.data, Path(tmp))
            print(f"{r['set']:10} {r['changes']:>8} {r['buggy']:>6} {r['failed_file']:>13} "
                  f"{r['failed_landed']:>15} {r['agree']!s:>6} {r['links_landed']:>6} "
                  f"{r['baseline']:>9.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
