-- Destructive agent actions per UTC week in [$since, $until) on the selected services:
-- attempted, executed (not denied, not blocked) and executed without a second human
-- authorization (the guardrail violations; see agent_guardrails.sql).
-- Output: week, destructive, executed, violations
-- Grain: week.  Parameters: $since, $until, $all_services, $services.
SELECT
    CAST(date_trunc('week', occurred_at AT TIME ZONE 'UTC') AS DATE) AS week,
    count(*) AS destructive,
    count(*) FILTER (WHERE decision <> 'denied' AND outcome <> 'blocked') AS executed,
    count(*) FILTER (WHERE decision <> 'denied' AND outcome <> 'blocked'
                     AND "authorization" <> 'second_human') AS violations
FROM a_agent_calls
WHERE consequence_tier = 'destructive'
  AND occurred_at >= $since AND occurred_at < $until
  AND ($all_services OR list_contains($services, service_name))
GROUP BY week
ORDER BY week;
