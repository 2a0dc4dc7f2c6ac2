-- The naive rule: the latest deployment of the incident's service (in its environment) that
-- started at or before impact start, and that deployment's head change (the change whose commit
-- or head sha is the deployed sha; a pull request before the push that carried it).
-- Output: incident_id, deployment_id, change_id
-- Grain: incident_id (incidents with no earlier deployment have no row).  Parameters: none.
WITH latest AS (
    SELECT i.incident_id, arg_max(d.deployment_id, d.started_at) AS deployment_id
    FROM a_incidents AS i
    JOIN a_deployments AS d ON d.service_name = i.service_name AND d.environment = i.environment
    WHERE d.started_at <= i.impact_started_at
    GROUP BY i.incident_id
),
heads AS (
    SELECT r.deployment_id, c.change_id, c.kind
    FROM a_deployment_refs AS r
    JOIN a_change_refs AS cr ON cr.kind = 'commit_sha' AND cr.value = r.value
    JOIN a_changes AS c ON c.change_id = cr.change_id
    WHERE r.kind = 'sha'
)
SELECT l.incident_id, l.deployment_id,
       (SELECT h.change_id FROM heads AS h WHERE h.deployment_id = l.deployment_id
        ORDER BY h.kind = 'commit', h.change_id LIMIT 1) AS change_id
FROM latest AS l
ORDER BY l.incident_id;
