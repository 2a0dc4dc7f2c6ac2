"""Rows of a lake table as pyiceberg reads its Iceberg table and as the lake's query views
return them, in one comparable form (order independent)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import duckdb
import pyarrow as pa
from pyiceberg.catalog import load_catalog
from pyiceberg.table import Table


def iceberg_table(catalog_uri: str, name: str, **properties: str) -> Table:
    """The table ``aftershock.<name>`` read straight through pyiceberg (not through lake code)."""
    catalog = load_catalog("aftershock", type="sql", uri=catalog_uri, **properties)
    return catalog.load_table(("aftershock", name))


def query_table(con: duckdb.DuckDBPyConnection, name: str) -> pa.Table:
    return con.table(name).to_arrow_table()


def rows(table: pa.Table) -> list[str]:
    """Every row as canonical JSON (columns by name, timestamps in UTC), sorted."""
    names = sorted(table.column_names)
    return sorted(json.dumps(row, sort_keys=True, default=_plain)
                  for row in table.select(names).to_pylist())


def _plain(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return repr(value)


def assert_same_rows(iceberg: pa.Table, queried: pa.Table, name: str) -> None:
    assert sorted(iceberg.column_names) == sorted(queried.column_names), name
    assert iceberg.num_rows == queried.num_rows, (name, iceberg.num_rows, queried.num_rows)
    assert rows(iceberg) == rows(queried), name
