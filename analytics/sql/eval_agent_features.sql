-- The agent-action suspects' features (link_agent_features.sql) with the action's source-native
-- id, for calibrating the weights.
-- Output: incident_id, event_id, source_ref, tier, depth, minutes_before
-- Grain: (incident, agent action).  Parameters: none.
SELECT f.incident_id, f.event_id, a.source_ref, f.tier, f.depth, f.minutes_before
FROM a_agent_features AS f
JOIN a_agent_actions AS a USING (event_id)
ORDER BY f.incident_id, f.event_id;
