"""The lake format: immutable Parquet files, the hash-chained manifest (the commit point), the
Arrow column layout, the reader's DuckDB views, landing of a batch, compaction and verification.

``ingest`` (the Kafka worker) and ``analytics`` (the readers) both stand on this package and never
on each other. It imports no Kafka client."""
