-- Blast radius and recovery of incidents in [$since, $until) whose linked cause is a change of a
-- selected service, per AI level of that change (blast_by_ai_level.sql with a service filter).
-- Output: ai_level, incidents, impact_minutes_total, impact_minutes_median, users_affected,
--   recovery_minutes_median
-- Grain: ai_level.  Parameters: $since, $until, $all_services, $services.
SELECT
    coalesce(c.ai_level, 'unknown') AS ai_level,
    count(*) AS incidents,
    sum(b.impact_minutes) AS impact_minutes_total,
    median(b.impact_minutes) AS impact_minutes_median,
    sum(b.users_affected) AS users_affected,
    median(b.duration_minutes) AS recovery_minutes_median
FROM a_incident_blame AS ib
JOIN a_blast AS b USING (incident_id)
LEFT JOIN a_changes AS c ON c.change_id = ib.change_id
WHERE ib.linked AND ib.suspect_kind = 'change'
  AND ib.impact_started_at >= $since AND ib.impact_started_at < $until
  AND ($all_services OR list_contains($services, c.service_name))
GROUP BY ALL
ORDER BY ai_level;
