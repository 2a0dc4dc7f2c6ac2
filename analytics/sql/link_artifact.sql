-- Method "artifact": an incident attribute value equal to a deployment's artifact or one of its
-- commit shas, or to a change's commit sha or head sha (exact match only: nothing is guessed out
-- of free text). Confidence 0.90.
-- Output: rows of a_link_evidence.  Grain: (incident, matched record).
-- Parameters: none.
INSERT INTO a_link_evidence
WITH mentioned AS (
    SELECT incident_id, unnest(attribute_values) AS value FROM a_incidents
),
deployed AS (
    SELECT deployment_id, artifact AS value FROM a_deployments WHERE artifact IS NOT NULL
    UNION SELECT deployment_id, value FROM a_deployment_refs WHERE kind = 'sha'
),
committed AS (
    SELECT change_id, value FROM a_change_refs WHERE kind = 'commit_sha'
    UNION ALL SELECT change_id, head_sha FROM a_changes WHERE head_sha IS NOT NULL
)
SELECT DISTINCT m.incident_id, 'deployment', d.deployment_id, 'artifact', 0.90,
       'incident attribute names ' || m.value, 'incident.attributes'
FROM mentioned AS m JOIN deployed AS d ON d.value = m.value
UNION ALL
SELECT DISTINCT m.incident_id, 'change', c.change_id, 'artifact', 0.90,
       'incident attribute names ' || m.value, 'incident.attributes'
FROM mentioned AS m JOIN committed AS c ON c.value = m.value;
