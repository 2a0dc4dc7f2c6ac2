"""Landed files are encoded for writing speed, compacted files for reading (lake.files)."""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.parquet as pq

from lake.files import FILTERED, LOW_CARDINALITY, parquet_bytes


def _table() -> pa.Table:
    rows = 50
    return pa.table({
        "event_id": [f"e{i}" for i in range(rows)],
        "source": ["github"] * rows,
        "service_name": [f"svc{i % 3}" for i in range(rows)],
        "occurred_at": pa.array(range(rows), pa.timestamp("us", "UTC")),
        "_offset": pa.array(range(rows), pa.int64()),
        "note": [f"free text {i}" for i in range(rows)],
    })


def _columns(data: bytes) -> dict[str, pq.ColumnChunkMetaData]:
    meta = pq.ParquetFile(io.BytesIO(data)).metadata.row_group(0)
    return {meta.column(i).path_in_schema: meta.column(i) for i in range(meta.num_columns)}


def test_landed_files_keep_statistics_and_dictionaries_only_where_readers_use_them() -> None:
    table = _table()
    columns = _columns(parquet_bytes(table, 1024))
    assert pq.read_table(io.BytesIO(parquet_bytes(table, 1024))).equals(table)
    for name, column in columns.items():
        assert column.is_stats_set == (name in FILTERED), name
        assert ("PLAIN_DICTIONARY" in column.encodings or "RLE_DICTIONARY" in column.encodings) == (
            name in LOW_CARDINALITY), name
        assert column.compression == "ZSTD"
    assert columns["occurred_at"].statistics.min == table["occurred_at"][0].as_py()


def test_compacted_files_keep_every_statistic() -> None:
    columns = _columns(parquet_bytes(_table(), 1024, for_reading=True))
    assert all(column.is_stats_set for column in columns.values())
    assert "RLE_DICTIONARY" in columns["note"].encodings
