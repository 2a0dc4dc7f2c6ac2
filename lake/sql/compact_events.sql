-- The rows of a group of event files, deduplicated, for one compacted file set.
-- Output columns: every lake column of the event type (union of the files, matched by name).
-- Grain: one row per (source, event_id): the first ingested copy, ordered by occurred_at.
-- Parameters: $files (list of Parquet paths; the first is an empty file of the current schema).
SELECT * EXCLUDE (_dedupe_rank)
FROM (
    SELECT
        *,
        row_number() OVER (
            PARTITION BY source, event_id ORDER BY _ingested_at, _topic, _partition, _offset
        ) AS _dedupe_rank
    FROM read_parquet($files, union_by_name = true)
)
WHERE _dedupe_rank = 1
ORDER BY occurred_at, _topic, _partition, _offset
