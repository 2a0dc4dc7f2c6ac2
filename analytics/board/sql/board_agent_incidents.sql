-- Incidents with impact start in [$since, $until) whose linked cause is an agent action on a
-- selected service, with the action.
-- Output: incident_id, title, severity, impact_started_at, impact_minutes, confidence, action_id,
--   agent, session_id, service_name, consequence_tier, verb, decision, authorization, outcome
-- Grain: incident_id.  Parameters: $since, $until, $all_services, $services.
SELECT ib.incident_id, b.title, b.severity, ib.impact_started_at, b.impact_minutes, ib.confidence,
       ib.agent_action_id AS action_id, a.gen_ai_agent_name AS agent, a.session_id, a.service_name,
       a.consequence_tier, a.verb, a.decision, a."authorization", a.outcome
FROM a_incident_blame AS ib
JOIN a_blast AS b USING (incident_id)
LEFT JOIN a_agent_actions AS a ON a.event_id = ib.agent_action_id
WHERE ib.suspect_kind = 'agent_action'
  AND ib.impact_started_at >= $since AND ib.impact_started_at < $until
  AND ($all_services OR list_contains($services, a.service_name))
ORDER BY b.impact_minutes DESC NULLS LAST, ib.incident_id;
