-- The DORA counts over the deployments of a_deploy_outcomes that started in [$since, $until):
-- deployments, those with a final status (coverage), failed deployments, rework deployments, and
-- failed deployments with a known recovery time. Every figure counts distinct deployment ids of
-- the same rows as the denominator, so no rate can exceed 100 %.
-- Output: deployments, terminal, failed, rework, failed_recovered
-- Grain: one row.  Parameters: $since, $until.
WITH per_deployment AS (
    SELECT deployment_id,
           bool_or(terminal) AS terminal,
           bool_or(failed) AS failed,
           bool_or(rework) AS rework,
           bool_or(failed AND recovery_minutes IS NOT NULL) AS failed_recovered
    FROM a_deploy_outcomes
    WHERE started_at >= $since AND started_at < $until
    GROUP BY deployment_id
)
SELECT
    count(*) AS deployments,
    count(*) FILTER (WHERE terminal) AS terminal,
    count(*) FILTER (WHERE failed) AS failed,
    count(*) FILTER (WHERE rework) AS rework,
    count(*) FILTER (WHERE failed_recovered) AS failed_recovered
FROM per_deployment;
