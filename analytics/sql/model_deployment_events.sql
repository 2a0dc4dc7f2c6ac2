-- The deployment events the model reads, read from the lake's files once with only these columns
-- and deduplicated as the lake's view does (first_landed, first_landed_macro.sql).
-- Output: deployment_id, service_name, deployment_environment_name, started_at, finished_at,
--   occurred_at, status, rollback_of, strategy, artifact, change_ids, commit_shas,
--   vcs_ref_head_revision, regions, source_ref, _ingested_at
-- Grain: deployment event (source, event_id).  Parameters: none (the file list is the reader's
--   session variable deployment_files).
CREATE OR REPLACE TEMP TABLE a_deployment_events AS
SELECT deployment_id, service_name, deployment_environment_name, started_at, finished_at, occurred_at,
       status, rollback_of, strategy, artifact, change_ids, commit_shas, vcs_ref_head_revision,
       regions, source_ref, _ingested_at
FROM first_landed(getvariable('deployment_files'));
