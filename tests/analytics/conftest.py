"""The hand-checked lake (see fixture.py), landed with the ingest code into real Parquet files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from ingest.backfill import land_events
from lake.reader import open_lake
from tests.analytics.fixture import all_events


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("lake") / "lake"
    land_events(path, all_events())
    return path


@pytest.fixture()
def con(lake: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = open_lake(lake)
    yield connection
    connection.close()
