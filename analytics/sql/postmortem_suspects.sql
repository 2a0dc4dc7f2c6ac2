-- The ranked suspects of one incident with their source-native identifiers: commit shas, pull
-- request and link of a change; deployment id and its source ids; agent session and source id.
-- Output: rank, suspect_kind, suspect_id, confidence, methods, evidence, provenance,
--   deployment_id, commit_shas, pull_request, source_url, ai_level, session_id, source_refs
-- Grain: suspect.  Parameters: $incident_id, $limit.
SELECT
    l.rank, l.suspect_kind, l.suspect_id, l.confidence, l.methods, l.evidence, l.provenance,
    l.deployment_id,
    c.commit_shas, c.vcs_change_id AS pull_request, c.source_url, c.ai_level,
    a.session_id,
    coalesce(c.source_refs, d.source_refs, CASE WHEN a.source_ref IS NOT NULL THEN [a.source_ref] END) AS source_refs
FROM a_links AS l
LEFT JOIN a_changes AS c ON l.suspect_kind = 'change' AND c.change_id = l.suspect_id
LEFT JOIN a_deployments AS d ON d.deployment_id = l.deployment_id
LEFT JOIN a_agent_actions AS a ON l.suspect_kind = 'agent_action' AND a.event_id = l.suspect_id
WHERE l.incident_id = $incident_id
ORDER BY l.rank
LIMIT $limit;
