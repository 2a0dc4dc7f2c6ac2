-- Each incident's top-ranked suspect at confidence >= $min_confidence, resolved to the
-- deployment that brought it into $environment: the suspect's own deployment when the evidence
-- named one, else the latest deployment of the change that started before impact start (plus
-- $skew_minutes). Incidents below the threshold or with no suspect are kept with linked = false.
-- Output: incident_id, linked, suspect_kind, suspect_id, confidence, change_id, deployment_id,
--   agent_action_id, impact_started_at, ended_at
-- Grain: incident_id.  Parameters: $environment, $min_confidence, $skew_minutes.
CREATE OR REPLACE TEMP TABLE a_incident_blame AS
WITH top AS (
    SELECT * FROM a_links WHERE rank = 1 AND confidence >= $min_confidence
),
shipped AS (
    SELECT t.incident_id, arg_max(d.deployment_id, d.started_at) AS deployment_id
    FROM top AS t
    JOIN a_incidents AS i USING (incident_id)
    JOIN a_deployment_changes AS dc ON dc.change_id = t.suspect_id
    JOIN a_deployments AS d ON d.deployment_id = dc.deployment_id
    WHERE t.suspect_kind = 'change' AND t.deployment_id IS NULL
      AND d.environment = $environment
      AND d.started_at <= i.impact_started_at + to_minutes($skew_minutes)
    GROUP BY t.incident_id
)
SELECT
    i.incident_id,
    t.incident_id IS NOT NULL AS linked,
    t.suspect_kind,
    t.suspect_id,
    t.confidence,
    CASE WHEN t.suspect_kind = 'change' THEN t.suspect_id END AS change_id,
    coalesce(t.deployment_id, s.deployment_id) AS deployment_id,
    CASE WHEN t.suspect_kind = 'agent_action' THEN t.suspect_id END AS agent_action_id,
    i.impact_started_at,
    i.ended_at
FROM a_incidents AS i
LEFT JOIN top AS t USING (incident_id)
LEFT JOIN shipped AS s USING (incident_id)
WHERE i.environment = $environment;
