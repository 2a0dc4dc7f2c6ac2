-- Changes whose first deployment to the environment started in [$since, $until), on the
-- selected services, with their lead time in minutes (NULL when unknown; see change_lead.sql)
-- and the UTC week of that first deployment.
-- Output: week, minutes
-- Grain: change.  Parameters: $since, $until, $all_services, $services.
SELECT CAST(date_trunc('week', l.first_deployed_at AT TIME ZONE 'UTC') AS DATE) AS week, l.minutes
FROM a_change_lead AS l
LEFT JOIN a_changes AS c USING (change_id)
WHERE l.first_deployed_at >= $since AND l.first_deployed_at < $until
  AND ($all_services OR list_contains($services, c.service_name))
ORDER BY week, l.minutes;
