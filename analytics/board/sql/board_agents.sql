-- Per agent (gen_ai_agent_name) in [$since, $until) on the selected services: actions (tool
-- calls, a_agent_calls), destructive ones, executed destructive ones, those without a second
-- human authorization, denials, and the incidents whose linked cause is one of its actions (any
-- report of the call) with their impact minutes.
-- Output: agent, actions, destructive, destructive_executed, unguarded, denied, incidents,
--   impact_minutes
-- Grain: agent.  Parameters: $since, $until, $all_services, $services.
WITH scope AS (
    SELECT * FROM a_agent_calls
    WHERE occurred_at >= $since AND occurred_at < $until
      AND ($all_services OR list_contains($services, service_name))
),
blamed AS (
    SELECT ib.agent_action_id AS event_id, b.impact_minutes
    FROM a_incident_blame AS ib
    JOIN a_blast AS b USING (incident_id)
    WHERE ib.suspect_kind = 'agent_action'
),
reported AS (  -- the reports of the calls in scope that some incident blames
    SELECT call_key, event_id
    FROM (SELECT call_key, unnest(report_ids) AS event_id FROM scope)
    SEMI JOIN blamed USING (event_id)
),
caused AS (
    SELECT r.call_key, count(*) AS incidents, sum(b.impact_minutes) AS impact_minutes
    FROM blamed AS b
    JOIN reported AS r USING (event_id)
    GROUP BY r.call_key
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
LEFT JOIN caused AS k USING (call_key)
GROUP BY ALL
ORDER BY incidents DESC, unguarded DESC, destructive DESC, agent;
