-- The ranked suspects of one incident with their source-native identifiers: commit shas, pull
-- request and link of a change; deployment id and its source ids; agent session and source id.
-- Output: rank, suspect_kind, suspect_id, confidence, change_confidence, methods, evidence, provenance,
--   deployment_id, commit_shas, pull_request, source_url, ai_level, session_id, source_refs
-- Grain: suspect.  Parameters: $incident_id, $limit.
WITH suspects AS (
    SELECT * FROM a_links WHERE incident_id = $incident_id
),
change_ids AS (
    SELECT r.change_id, list(r.value ORDER BY r.value) FILTER (WHERE r.kind = 'commit_sha') AS commit_shas,
           list(r.value ORDER BY r.value) FILTER (WHERE r.kind = 'source_ref') AS source_refs
    FROM a_change_refs AS r
    SEMI JOIN suspects AS s ON s.suspect_kind = 'change' AND s.suspect_id = r.change_id
    GROUP BY r.change_id
),
deployment_ids AS (
    SELECT r.deployment_id, list(r.value ORDER BY r.value) AS source_refs
    FROM a_deployment_refs AS r
    SEMI JOIN suspects AS s ON s.deployment_id = r.deployment_id
    WHERE r.kind = 'source_ref'
    GROUP BY r.deployment_id
)
SELECT
    l.rank, l.suspect_kind, l.suspect_id, l.confidence, l.change_confidence, l.methods, l.evidence, l.provenance,
    l.deployment_id,
    CASE WHEN c.change_id IS NOT NULL THEN coalesce(ci.commit_shas, []) END AS commit_shas,
    c.vcs_change_id AS pull_request, c.source_url, c.ai_level,
    a.session_id,
    coalesce(
        CASE WHEN c.change_id IS NOT NULL THEN coalesce(ci.source_refs, []) END,
        CASE WHEN d.deployment_id IS NOT NULL THEN coalesce(di.source_refs, []) END,
        CASE WHEN a.source_ref IS NOT NULL THEN [a.source_ref] END
    ) AS source_refs
FROM suspects AS l
LEFT JOIN a_changes AS c ON l.suspect_kind = 'change' AND c.change_id = l.suspect_id
LEFT JOIN change_ids AS ci ON ci.change_id = c.change_id
LEFT JOIN a_deployments AS d ON d.deployment_id = l.deployment_id
LEFT JOIN deployment_ids AS di ON di.deployment_id = d.deployment_id
LEFT JOIN a_agent_actions AS a ON l.suspect_kind = 'agent_action' AND a.event_id = l.suspect_id
ORDER BY l.rank
LIMIT $limit;
