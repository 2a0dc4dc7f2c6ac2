"""Kafka -> exactly-once Parquet lake with a hash-chained manifest (see DESIGN: landing protocol)."""
