-- Methods "time_window" and "dependency": deployments of the incident's environment to an
-- affected service that started within $window_minutes before impact start (or up to
-- $skew_minutes after it, for clock skew); rollback deployments are remediation, not suspects.
-- Confidence 0.60 x exp(-minutes before impact / $decay_minutes) (after impact start:
-- exp(-minutes after / $skew_minutes)), x 0.35 per level of dependency depth (depth >= 1 is the
-- "dependency" method), x 0.30 when both sides name regions and none is shared (the deployment's
-- regions are its 'region' rows of a_deployment_refs).
-- The join is keyed by service and UTC day: each incident service is expanded to the days its
-- window touches, so only that service's deployments of those days are compared by time.
-- Output: rows of a_link_evidence.  Grain: (incident, deployment).
-- Parameters: $environment, $window_minutes, $skew_minutes, $decay_minutes.
INSERT INTO a_link_evidence
WITH exposed AS (
    SELECT i.incident_id, i.impact_started_at, i.regions, s.service_name, s.dependency_depth,
           unnest(range(
               floor(epoch(i.impact_started_at - to_minutes($window_minutes)) / 86400)::BIGINT,
               floor(epoch(i.impact_started_at + to_minutes($skew_minutes)) / 86400)::BIGINT + 1
           )) AS day
    FROM a_incidents AS i
    JOIN a_incident_services AS s USING (incident_id)
    WHERE i.environment = $environment
),
candidates AS (
    SELECT deployment_id, service_name, started_at, floor(epoch(started_at) / 86400)::BIGINT AS day
    FROM a_deployments
    WHERE environment = $environment AND rollback_of IS NULL
),
near AS (
    SELECT
        e.incident_id,
        d.deployment_id,
        e.dependency_depth AS depth,
        date_diff('second', d.started_at, e.impact_started_at) / 60.0 AS minutes_before,
        e.regions AS incident_regions
    FROM exposed AS e
    JOIN candidates AS d ON d.service_name = e.service_name AND d.day = e.day
    WHERE d.started_at BETWEEN e.impact_started_at - to_minutes($window_minutes)
                           AND e.impact_started_at + to_minutes($skew_minutes)
),
deployment_regions AS (
    SELECT deployment_id, list(value) AS regions
    FROM a_deployment_refs
    WHERE kind = 'region' AND deployment_id IN (SELECT deployment_id FROM near)
    GROUP BY deployment_id
),
placed AS (
    SELECT n.*, len(n.incident_regions) > 0 AND len(r.regions) > 0
                AND NOT list_has_any(n.incident_regions, r.regions) AS other_region
    FROM near AS n
    LEFT JOIN deployment_regions AS r USING (deployment_id)
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
