-- One event type as queries see it: the live files of a manifest snapshot, deduplicated.
-- Output columns: every lake column of the type (envelope, event_type, payload fields, lineage
--   _topic, _partition, _offset, _ingested_at); files of older schema versions matched by name.
-- Grain: one row per (source, event_id): the first ingested copy (then lowest topic/partition/offset).
-- Parameters: none; the file list is the session variable {view}_files (set from a bound value).
CREATE OR REPLACE VIEW {view} AS
SELECT * EXCLUDE (_dedupe_rank)
FROM (
    SELECT
        *,
        row_number() OVER (
            PARTITION BY source, event_id ORDER BY _ingested_at, _topic, _partition, _offset
        ) AS _dedupe_rank
    FROM read_parquet(getvariable('{view}_files'), union_by_name = true)
)
WHERE _dedupe_rank = 1
