-- Dead letters: records that could not become events, with raw bytes and the reason.
-- Output columns: reason, error_class, error_message, raw (redacted), key, record_timestamp,
--   raw_sha256 (of the value as received), _topic, _partition, _offset, _ingested_at.
-- Grain: one row per rejected record (topic, partition, offset).
-- Parameters: none; the file list is the session variable dead_letter_files.
CREATE OR REPLACE VIEW dead_letter AS
SELECT *
FROM read_parquet(getvariable('dead_letter_files'), union_by_name = true)
