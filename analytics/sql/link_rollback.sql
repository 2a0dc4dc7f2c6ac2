-- Method "rollback": a deployment of $environment to an affected service that started within
-- $window_minutes before impact start and failed or was rolled back. Confidence 0.75, halved
-- per level of dependency depth.
-- Output: rows of a_link_evidence.  Grain: (incident, failed deployment).
-- Parameters: $environment, $window_minutes, $skew_minutes.
INSERT INTO a_link_evidence
SELECT
    i.incident_id,
    'deployment',
    d.deployment_id,
    'rollback',
    0.75 * pow(0.5, min(s.dependency_depth)),
    'deployment ' || any_value(d.last_status) || coalesce(', rolled back by ' || any_value(d.rolled_back_by), ''),
    'deployment ' || d.deployment_id
FROM a_incidents AS i
JOIN a_incident_services AS s USING (incident_id)
JOIN a_deployments AS d ON d.service_name = s.service_name
WHERE d.environment = i.environment
  AND d.environment = $environment
  AND d.failed
  AND d.started_at BETWEEN i.impact_started_at - to_minutes($window_minutes)
                       AND i.impact_started_at + to_minutes($skew_minutes)
GROUP BY i.incident_id, d.deployment_id;
