-- Per UTC week of their first deployment to the environment in [$since, $until): the changes on
-- the selected services, and their known lead times in minutes, ascending (unknown ones, NULL in
-- change_lead.sql, counted but not listed). One row per week: the page computes medians from
-- short lists instead of fetching one row per change.
-- Output: week, changes, minutes
-- Grain: week.  Parameters: $since, $until, $all_services, $services.
SELECT CAST(date_trunc('week', l.first_deployed_at AT TIME ZONE 'UTC') AS DATE) AS week,
       count(*) AS changes,
       coalesce(list(l.minutes ORDER BY l.minutes) FILTER (WHERE l.minutes IS NOT NULL), []) AS minutes
FROM a_change_lead AS l
LEFT JOIN a_changes AS c USING (change_id)
WHERE l.first_deployed_at >= $since AND l.first_deployed_at < $until
  AND ($all_services OR list_contains($services, c.service_name))
GROUP BY week
ORDER BY week;
