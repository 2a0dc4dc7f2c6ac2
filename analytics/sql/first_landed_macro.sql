-- Table macro first_landed(files): every event of the Parquet files `files` (a lake snapshot's
-- file list of one event type) once, as its first landed copy: the lake views' dedupe rule (one
-- row per (source, event_id): lowest _ingested_at, then _topic, _partition, _offset). Unlike the
-- views it runs the exact window only on keys seen more than once (found by hash of (source,
-- event_id), so a hash collision merely adds candidates; equal neighbours in the sorted hashes,
-- which costs about half a grouping by hash at millions of events), and a caller that selects a few
-- columns reads only those (DuckDB prunes the rest through the macro).
-- Output: every column of the files.  Grain: (source, event_id).  Parameters: none (the macro's
--   argument is bound where it is used).
CREATE OR REPLACE TEMP MACRO first_landed(files) AS TABLE
WITH landed AS NOT MATERIALIZED (
    SELECT hash(source, event_id) AS _key, * FROM read_parquet(files, union_by_name = true)
),
repeated AS (
    SELECT DISTINCT _key
    FROM (SELECT _key, lead(_key) OVER (ORDER BY _key) AS _next FROM landed)
    WHERE _key = _next
),
first_copies AS (
    SELECT * FROM landed SEMI JOIN repeated USING (_key)
    QUALIFY row_number() OVER (
        PARTITION BY source, event_id ORDER BY _ingested_at, _topic, _partition, _offset
    ) = 1
)
SELECT * EXCLUDE (_key) FROM landed ANTI JOIN repeated USING (_key)
UNION ALL
SELECT * EXCLUDE (_key) FROM first_copies;
