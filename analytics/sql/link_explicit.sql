-- Method "explicit": causes named by responders in the incident's `causes` (confirmed 0.95,
-- suspected 0.70) or by the incident envelope's change_id / deployment_id correlation (0.60).
-- A reference resolves by exact match on our id or on a source-native id: change_id, commit sha,
-- head sha or source_ref of a change; deployment_id or source_ref of a deployment; event_id or
-- source_ref of an agent action. Unresolvable references add nothing.
-- Output: rows of a_link_evidence.  Grain: (incident, cause reference, resolved record).
-- Parameters: none.
INSERT INTO a_link_evidence
WITH named AS (
    SELECT incident_id, c.kind, c.ref, c.status
    FROM (SELECT incident_id, unnest(causes) AS c FROM a_incidents)
    UNION ALL
    SELECT incident_id, 'change', correlated_change_id, 'correlated'
    FROM a_incidents WHERE correlated_change_id IS NOT NULL
    UNION ALL
    SELECT incident_id, 'deployment', correlated_deployment_id, 'correlated'
    FROM a_incidents WHERE correlated_deployment_id IS NOT NULL
),
aliases AS (
    SELECT 'change' AS kind, change_id AS id, change_id AS alias FROM a_changes
    UNION ALL SELECT 'change', change_id, value FROM a_change_refs
    UNION ALL SELECT 'change', change_id, head_sha FROM a_changes WHERE head_sha IS NOT NULL
    UNION ALL SELECT 'deployment', deployment_id, deployment_id FROM a_deployments
    UNION ALL SELECT 'deployment', deployment_id, value FROM a_deployment_refs WHERE kind = 'source_ref'
    UNION ALL SELECT 'agent_action', event_id, event_id FROM a_agent_actions
    UNION ALL SELECT 'agent_action', event_id, source_ref FROM a_agent_actions WHERE source_ref IS NOT NULL
)
SELECT DISTINCT
    n.incident_id,
    n.kind,
    a.id,
    'explicit',
    CASE n.status WHEN 'confirmed' THEN 0.95 WHEN 'suspected' THEN 0.70 ELSE 0.60 END,
    'incident names ' || n.kind || ' ' || n.ref || ' (' || n.status || ')',
    CASE n.status WHEN 'correlated' THEN 'incident envelope' ELSE 'incident.causes' END
FROM named AS n
JOIN aliases AS a ON a.kind = n.kind AND a.alias = n.ref;
