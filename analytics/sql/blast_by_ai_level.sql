-- Blast radius and recovery of incidents whose linked cause is a change, per AI level of that
-- change, for incidents that started in [$since, $until).
-- Output: ai_level, incidents, impact_minutes_total, impact_minutes_median, users_affected,
--   failed_requests, recovery_minutes_median
-- Grain: ai_level.  Parameters: $since, $until.
SELECT
    coalesce(c.ai_level, 'unknown') AS ai_level,
    count(*) AS incidents,
    sum(b.impact_minutes) AS impact_minutes_total,
    median(b.impact_minutes) AS impact_minutes_median,
    sum(b.users_affected) AS users_affected,
    sum(b.failed_requests) AS failed_requests,
    median(b.duration_minutes) AS recovery_minutes_median
FROM a_incident_blame AS ib
JOIN a_blast AS b USING (incident_id)
LEFT JOIN a_changes AS c ON c.change_id = ib.change_id
WHERE ib.linked AND ib.suspect_kind = 'change'
  AND ib.impact_started_at >= $since AND ib.impact_started_at < $until
GROUP BY ALL
ORDER BY ai_level;
