-- One row per deployment (all its stages and status events folded together), with whether it
-- failed: a failed or rolled_back status, or a later deployment that names it in rollback_of.
-- Output: deployment_id, service_name, environment, started_at, finished_at, last_status,
--   terminal (a final status was seen), failed, rolled_back_by, rollback_of, strategy, artifact,
--   landed_at (when its first event was landed: the anchor of a plausible started_at)
--   (the listed change ids, shas, regions and source refs are rows of a_deployment_refs)
-- Grain: deployment_id.  Parameters: none.
CREATE OR REPLACE TEMP TABLE a_deployments AS
WITH folded AS (
    SELECT
        deployment_id,
        arg_max(service_name, occurred_at) FILTER (WHERE service_name IS NOT NULL) AS service_name,
        arg_max(deployment_environment_name, occurred_at)
            FILTER (WHERE deployment_environment_name IS NOT NULL) AS environment,
        min(coalesce(started_at, occurred_at)) AS started_at,
        max(coalesce(finished_at, occurred_at)) AS finished_at,
        arg_max(status, occurred_at) AS last_status,
        bool_or(status IN ('succeeded', 'failed', 'rolled_back')) AS terminal,
        bool_or(status IN ('failed', 'rolled_back')) AS failed_status,
        max(occurred_at) FILTER (WHERE status IN ('failed', 'rolled_back')) AS failed_at,
        any_value(rollback_of) FILTER (WHERE rollback_of IS NOT NULL) AS rollback_of,
        arg_max(strategy, occurred_at) AS strategy,
        any_value(artifact) FILTER (WHERE artifact IS NOT NULL) AS artifact,
        min(_ingested_at) AS landed_at
    FROM a_deployment_events
    WHERE deployment_id IS NOT NULL
    GROUP BY deployment_id
),
rollbacks AS (
    SELECT rollback_of AS deployment_id, min(deployment_id) AS rolled_back_by, min(started_at) AS rollback_at
    FROM folded
    WHERE rollback_of IS NOT NULL
    GROUP BY rollback_of
)
SELECT
    f.* EXCLUDE (failed_status, failed_at),
    f.failed_status OR r.rolled_back_by IS NOT NULL AS failed,
    r.rolled_back_by,
    least(f.failed_at, r.rollback_at) AS failed_at
FROM folded AS f
LEFT JOIN rollbacks AS r USING (deployment_id);
