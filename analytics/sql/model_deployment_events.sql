-- The deployment events the model reads, read from the lake's files once with only these columns
-- and deduplicated as the lake's view does: one row per (source, event_id), the first landed copy
-- (lowest _ingested_at, then _topic, _partition, _offset). Only keys seen more than once (by hash
-- of (source, event_id), so a hash collision merely adds candidates) go through the exact window.
-- Output: deployment_id, service_name, deployment_environment_name, started_at, finished_at,
--   occurred_at, status, rollback_of, strategy, artifact, change_ids, commit_shas,
--   vcs_ref_head_revision, regions, source_ref
-- Grain: deployment event (source, event_id).  Parameters: none (the file list is the reader's
--   session variable deployment_files).
CREATE OR REPLACE TEMP TABLE a_deployment_events AS
WITH landed AS NOT MATERIALIZED (
    SELECT hash(source, event_id) AS _key, source, event_id, _ingested_at, _topic, _partition, _offset,
           deployment_id, service_name, deployment_environment_name, started_at, finished_at, occurred_at,
           status, rollback_of, strategy, artifact, change_ids, commit_shas, vcs_ref_head_revision,
           regions, source_ref
    FROM read_parquet(getvariable('deployment_files'), union_by_name = true)
),
repeated AS (
    SELECT _key FROM landed GROUP BY _key HAVING count(*) > 1
),
first_copies AS (
    SELECT * FROM landed SEMI JOIN repeated USING (_key)
    QUALIFY row_number() OVER (
        PARTITION BY source, event_id ORDER BY _ingested_at, _topic, _partition, _offset
    ) = 1
)
SELECT * EXCLUDE (_key, source, event_id, _ingested_at, _topic, _partition, _offset)
FROM (SELECT * FROM landed ANTI JOIN repeated USING (_key) UNION ALL SELECT * FROM first_copies);
