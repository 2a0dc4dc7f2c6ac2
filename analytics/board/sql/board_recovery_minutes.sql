-- Failed deployments that started in [$since, $until) on the selected services, with their
-- recovery minutes (NULL when unknown; see deploy_outcomes.sql) and UTC week.
-- Output: week, recovery_minutes
-- Grain: failed deployment.  Parameters: $since, $until, $all_services, $services.
SELECT
    CAST(date_trunc('week', any_value(started_at) AT TIME ZONE 'UTC') AS DATE) AS week,
    max(recovery_minutes) AS recovery_minutes
FROM a_deploy_outcomes
WHERE started_at >= $since AND started_at < $until
  AND ($all_services OR list_contains($services, service_name))
GROUP BY deployment_id
HAVING bool_or(failed)
ORDER BY week, recovery_minutes;
