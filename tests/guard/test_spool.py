"""The decision spool: concurrent appends from many processes lose nothing while it is taken."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

from guard import spool


def _writer(folder: str, who: int, count: int) -> None:
    for i in range(count):
        spool.append(Path(folder), {"who": who, "i": i})


def test_concurrent_appends_and_takes_keep_every_line(tmp_path: Path) -> None:
    folder = tmp_path / "spool"
    context = multiprocessing.get_context("fork")
    writers = [context.Process(target=_writer, args=(str(folder), w, 150)) for w in range(4)]
    for process in writers:
        process.start()
    taken = 0
    while any(p.is_alive() for p in writers):
        if spool.take(folder, f"batch-{taken:04d}.ndjson"):
            taken += 1
    for process in writers:
        process.join()
        assert process.exitcode == 0
    spool.take(folder, "batch-9999.ndjson")
    lines = [json.loads(line) for f in sorted(folder.glob("batch-*.ndjson"))
             for line in f.read_text().splitlines()]
    assert sorted((r["who"], r["i"]) for r in lines) == [(w, i) for w in range(4) for i in range(150)]
    assert not (folder / spool.FILE).exists()


def test_take_of_an_empty_spool_is_none(tmp_path: Path) -> None:
    assert spool.take(tmp_path, "batch-1.ndjson") is None
