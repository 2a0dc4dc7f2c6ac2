-- The rows of a group of dead-letter files, for one compacted file set.
-- Output columns: reason, error_class, error_message, raw (redacted), key, record_timestamp,
--   raw_sha256 (of the value as received), _topic, _partition, _offset, _ingested_at.
-- Grain: one row per rejected record.
-- Parameters: $files (list of Parquet paths; the first is an empty file of the current schema).
SELECT *
FROM read_parquet($files, union_by_name = true)
ORDER BY _topic, _partition, _offset
