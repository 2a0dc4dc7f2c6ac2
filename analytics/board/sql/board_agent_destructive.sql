-- Destructive agent actions in [$since, $until) on the selected services by decision, outcome
-- and authorization; executed = not denied and not blocked; unguarded = executed without a
-- second human authorization.
-- Output: decision, outcome, authorization, executed, unguarded, actions
-- Grain: (decision, outcome, authorization).  Parameters: $since, $until, $all_services, $services.
SELECT coalesce(decision, 'unknown') AS decision, coalesce(outcome, 'unknown') AS outcome,
       coalesce("authorization", 'unknown') AS "authorization",
       coalesce(decision <> 'denied' AND outcome <> 'blocked', false) AS executed,
       coalesce(decision <> 'denied' AND outcome <> 'blocked' AND "authorization" <> 'second_human', false)
           AS unguarded,
       count(*) AS actions
FROM a_agent_calls
WHERE consequence_tier = 'destructive'
  AND occurred_at >= $since AND occurred_at < $until
  AND ($all_services OR list_contains($services, service_name))
GROUP BY ALL
ORDER BY actions DESC, decision, outcome, "authorization";
