-- The DORA counts per UTC week (Monday first) over the deployments of a_deploy_outcomes that
-- started in [$since, $until) on the selected services, counted as dora_rates.sql counts them
-- (distinct deployment ids of the same rows).
-- Output: week, deployments, terminal, failed, rework
-- Grain: week.  Parameters: $since, $until, $all_services, $services.
WITH per_deployment AS (
    SELECT deployment_id,
           any_value(started_at) AS started_at,
           bool_or(terminal) AS terminal,
           bool_or(failed) AS failed,
           bool_or(rework) AS rework
    FROM a_deploy_outcomes
    WHERE started_at >= $since AND started_at < $until
      AND ($all_services OR list_contains($services, service_name))
    GROUP BY deployment_id
)
SELECT
    CAST(date_trunc('week', started_at AT TIME ZONE 'UTC') AS DATE) AS week,
    count(*) AS deployments,
    count(*) FILTER (WHERE terminal) AS terminal,
    count(*) FILTER (WHERE failed) AS failed,
    count(*) FILTER (WHERE rework) AS rework
FROM per_deployment
GROUP BY week
ORDER BY week;
