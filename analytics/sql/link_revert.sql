-- Method "revert": a change reverted between the incident's impact start (less $skew_minutes)
-- and $window_minutes after it ended, where the reverted change is on an affected service and
-- reached $environment within $window_minutes before impact start. Confidence 0.80.
-- Output: rows of a_link_evidence.  Grain: (incident, reverted change).
-- Parameters: $environment, $window_minutes, $skew_minutes.
INSERT INTO a_link_evidence
WITH reverts AS (
    SELECT change_id AS revert_id, reverts_change_id, coalesce(merged_at, first_seen_at) AS reverted_at
    FROM a_changes
    WHERE reverts_change_id IS NOT NULL
),
shipped AS (
    SELECT dc.change_id, c.service_name, d.deployment_id, d.started_at
    FROM a_deployment_changes AS dc
    JOIN a_deployments AS d USING (deployment_id)
    JOIN a_changes AS c USING (change_id)
    WHERE d.environment = $environment
)
SELECT DISTINCT
    i.incident_id,
    'change',
    r.reverts_change_id,
    'revert',
    0.80,
    'reverted by ' || r.revert_id || ' at ' || strftime(r.reverted_at, '%Y-%m-%dT%H:%M:%SZ'),
    'change ' || r.revert_id
FROM a_incidents AS i
JOIN a_incident_services AS s USING (incident_id)
JOIN shipped AS sh ON sh.service_name = s.service_name
JOIN reverts AS r ON r.reverts_change_id = sh.change_id
WHERE sh.started_at BETWEEN i.impact_started_at - to_minutes($window_minutes)
                        AND i.impact_started_at + to_minutes($skew_minutes)
  AND r.reverted_at BETWEEN i.impact_started_at - to_minutes($skew_minutes)
                        AND coalesce(i.ended_at, i.impact_started_at) + to_minutes($window_minutes);
