-- Agent actions in [$since, $until) on the selected services by consequence tier and decision.
-- Output: consequence_tier, decision, actions
-- Grain: (consequence_tier, decision).  Parameters: $since, $until, $all_services, $services.
SELECT coalesce(consequence_tier, 'unknown') AS consequence_tier,
       coalesce(decision, 'unknown') AS decision, count(*) AS actions
FROM a_agent_calls
WHERE occurred_at >= $since AND occurred_at < $until
  AND ($all_services OR list_contains($services, service_name))
GROUP BY ALL
ORDER BY ALL;
