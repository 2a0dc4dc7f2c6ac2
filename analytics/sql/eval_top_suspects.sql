-- The top-ranked suspect of every incident, with the deployment it points at: the deployment
-- itself, or the deployment whose evidence a change suspect carries.
-- Output: incident_id, suspect_kind, suspect_id, deployment_id, confidence, change_confidence,
--   methods, agent_ref (the agent action's source-native id)
-- Grain: incident_id.  Parameters: none.
SELECT l.incident_id, l.suspect_kind, l.suspect_id,
       CASE WHEN l.suspect_kind = 'deployment' THEN l.suspect_id ELSE l.deployment_id END AS deployment_id,
       l.confidence, l.change_confidence, l.methods, a.source_ref AS agent_ref
FROM a_links AS l
LEFT JOIN a_agent_actions AS a ON l.suspect_kind = 'agent_action' AND a.event_id = l.suspect_id
WHERE l.rank = 1
ORDER BY l.incident_id;
