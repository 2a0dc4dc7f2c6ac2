-- Per agent (gen_ai_agent_name) in [$since, $until) on the selected services: actions,
-- destructive ones, executed destructive ones, those without a second human authorization,
-- denials, and the incidents whose linked cause is one of its actions with their impact minutes.
-- Output: agent, actions, destructive, destructive_executed, unguarded, denied, incidents,
--   impact_minutes
-- Grain: agent.  Parameters: $since, $until, $all_services, $services.
WITH scope AS (
    SELECT * FROM a_agent_actions
    WHERE occurred_at >= $since AND occurred_at < $until
      AND ($all_services OR list_contains($services, service_name))
),
caused AS (
    SELECT ib.agent_action_id AS event_id, count(*) AS incidents, sum(b.impact_minutes) AS impact_minutes
    FROM a_incident_blame AS ib
    JOIN a_blast AS b USING (incident_id)
    WHERE ib.suspect_kind = 'agent_action'
    GROUP BY ib.agent_action_id
)
SELECT
    coalesce(s.gen_ai_agent_name, 'unknown') AS agent,
    count(*) AS actions,
    count(*) FILTER (WHERE s.consequence_tier = 'destructive') AS destructive,
    count(*) FILTER (WHERE s.consequence_tier = 'destructive' AND s.decision <> 'denied'
                     AND s.outcome <> 'blocked') AS destructive_executed,
    count(*) FILTER (WHERE s.consequence_tier = 'destructive' AND s.decision <> 'denied'
                     AND s.outcome <> 'blocked' AND s."authorization" <> 'second_human') AS unguarded,
    count(*) FILTER (WHERE s.decision = 'denied') AS denied,
    coalesce(sum(k.incidents), 0) AS incidents,
    coalesce(sum(k.impact_minutes), 0) AS impact_minutes
FROM scope AS s
LEFT JOIN caused AS k USING (event_id)
GROUP BY ALL
ORDER BY incidents DESC, unguarded DESC, destructive DESC, agent;
