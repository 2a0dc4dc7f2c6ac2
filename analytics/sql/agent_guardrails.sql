-- Guardrail figures for [$since, $until): destructive actions attempted, executed (not denied
-- and not blocked), executed without a second human authorization, and incidents whose linked
-- cause is an agent action.
-- Output: destructive, destructive_executed, destructive_without_second_authorization,
--   incidents_linked_to_agents
-- Grain: one row.  Parameters: $since, $until.
SELECT
    count(*) FILTER (WHERE consequence_tier = 'destructive') AS destructive,
    count(*) FILTER (WHERE consequence_tier = 'destructive' AND decision <> 'denied'
                     AND outcome <> 'blocked') AS destructive_executed,
    count(*) FILTER (WHERE consequence_tier = 'destructive' AND decision <> 'denied'
                     AND outcome <> 'blocked' AND "authorization" <> 'second_human')
        AS destructive_without_second_authorization,
    (SELECT count(*) FROM a_incident_blame
     WHERE suspect_kind = 'agent_action' AND impact_started_at >= $since AND impact_started_at < $until)
        AS incidents_linked_to_agents
FROM a_agent_calls
WHERE occurred_at >= $since AND occurred_at < $until;
