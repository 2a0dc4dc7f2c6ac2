-- Methods "time_window" and "dependency": deployments of the incident's environment to an
-- affected service that started within $window_minutes before impact start (or up to
-- $skew_minutes after it, for clock skew); rollback deployments are remediation, not suspects.
-- Confidence 0.60 x exp(-minutes before impact / $decay_minutes) (after impact start:
-- exp(-minutes after / $skew_minutes)), x 0.35 per level of dependency depth (depth >= 1 is the
-- "dependency" method), x 0.30 when both sides name regions and none is shared (the deployment's
-- regions are its 'region' rows of a_deployment_refs).
-- Output: rows of a_link_evidence.  Grain: (incident, deployment).
-- Parameters: $environment, $window_minutes, $skew_minutes, $decay_minutes.
INSERT INTO a_link_evidence
WITH near AS (
    SELECT
        i.incident_id,
        d.deployment_id,
        min(s.dependency_depth) AS depth,
        date_diff('second', d.started_at, i.impact_started_at) / 60.0 AS minutes_before,
        i.regions AS incident_regions
    FROM a_incidents AS i
    JOIN a_incident_services AS s USING (incident_id)
    JOIN a_deployments AS d ON d.service_name = s.service_name
    WHERE d.environment = i.environment
      AND d.environment = $environment
      AND d.rollback_of IS NULL
      AND d.started_at BETWEEN i.impact_started_at - to_minutes($window_minutes)
                           AND i.impact_started_at + to_minutes($skew_minutes)
    GROUP BY i.incident_id, d.deployment_id, d.started_at, i.impact_started_at, i.regions
),
regional AS (
    SELECT n.incident_id, n.deployment_id, bool_or(list_contains(n.incident_regions, r.value)) AS shared
    FROM near AS n
    JOIN a_deployment_refs AS r ON r.deployment_id = n.deployment_id AND r.kind = 'region'
    GROUP BY n.incident_id, n.deployment_id
),
placed AS (
    SELECT n.*, len(n.incident_regions) > 0 AND g.deployment_id IS NOT NULL AND NOT g.shared AS other_region
    FROM near AS n
    LEFT JOIN regional AS g ON g.incident_id = n.incident_id AND g.deployment_id = n.deployment_id
)
SELECT
    incident_id,
    'deployment',
    deployment_id,
    CASE WHEN depth = 0 THEN 'time_window' ELSE 'dependency' END,
    0.60 * CASE WHEN minutes_before >= 0 THEN exp(-minutes_before / $decay_minutes)
                ELSE exp(minutes_before / $skew_minutes) END
         * pow(0.35, depth) * CASE WHEN other_region THEN 0.30 ELSE 1 END,
    'deployed ' || round(minutes_before) || ' min before impact, dependency depth ' || depth,
    'deployment ' || deployment_id
FROM placed;
