-- Table macro first_copies_in(files, services, since, until): from the Parquet files `files` (a
-- lake snapshot's file list of one event type), every event that has a copy on one of the
-- `services` with occurred_at in [since, until], as its first landed copy (the lake views'
-- dedupe rule: lowest _ingested_at, then _topic, _partition, _offset). Row-group statistics skip
-- most files for the window, and the first landed copy of such an event is the one the view
-- shows, so filtering these rows again equals filtering the view.
-- Output: every column of the files.  Grain: (source, event_id).  Parameters: none (the macro's
--   arguments are bound where it is used).
CREATE OR REPLACE TEMP MACRO first_copies_in(files, services, since, until) AS TABLE
WITH hits AS (
    SELECT source, event_id
    FROM read_parquet(files, union_by_name = true)
    WHERE occurred_at BETWEEN since AND until AND list_contains(services, service_name)
)
SELECT *
FROM read_parquet(files, union_by_name = true)
SEMI JOIN hits USING (source, event_id)
QUALIFY row_number() OVER (
    PARTITION BY source, event_id ORDER BY _ingested_at, _topic, _partition, _offset
) = 1;
