-- Blast radius per causal change: the incidents each change is the linked cause of, for
-- incidents that started in [$since, $until), ranked by total impact minutes.
-- Output: change_id, ai_level, service_name, incidents, impact_minutes, users_affected,
--   failed_requests
-- Grain: change_id.  Parameters: $since, $until, $limit.
SELECT ib.change_id, any_value(c.ai_level) AS ai_level, any_value(c.service_name) AS service_name,
       count(*) AS incidents, sum(b.impact_minutes) AS impact_minutes,
       sum(b.users_affected) AS users_affected, sum(b.failed_requests) AS failed_requests
FROM a_incident_blame AS ib
JOIN a_blast AS b USING (incident_id)
LEFT JOIN a_changes AS c ON c.change_id = ib.change_id
WHERE ib.linked AND ib.change_id IS NOT NULL
  AND ib.impact_started_at >= $since AND ib.impact_started_at < $until
GROUP BY ib.change_id
ORDER BY impact_minutes DESC NULLS LAST, ib.change_id
LIMIT $limit;
