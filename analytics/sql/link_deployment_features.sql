-- Features of the deployment suspects (methods "time_window", "dependency" and "rollback"):
-- deployments of the incident's environment to an affected service that started within
-- $window_minutes before impact start (or up to $skew_minutes after it, for clock skew); rollback
-- deployments are remediation, not suspects. link_score.sql turns the features into confidence
-- with the calibrated weights (link_weights.toml).
-- Features: minutes_before (negative when the deployment started after impact start), depth
-- (dependency depth of the affected service; >= 1 is the "dependency" method), other_region (both
-- sides name regions and none is shared; the deployment's regions are its 'region' rows of
-- a_deployment_refs), region_coverage (ln of the share of the deployment's regions that the
-- incident names, when they share some; regions are those some incident names; else 0), failed (failed or rolled back: the "rollback" method), latest (the latest
-- deployment of that service that started at or before impact start, whatever its status),
-- latest_successful (the same among those that did not fail; a missing status is not a failure).
-- The join is keyed by service and UTC day: each incident service is expanded to the days its
-- window touches, so only that service's deployments of those days are compared by time.
-- The region check compares bit masks: the regions incidents name are numbered (region_bits), and
-- each incident and deployment carries the set of those it names as one integer. An incident that
-- names a region numbered 64 or more (more distinct incident regions than bits) is compared as
-- lists instead (wide_pairs); the two give the same answer. Time arithmetic on TIMESTAMPTZ is
-- calendar arithmetic, so it is done once per incident service (the window bounds), and minutes
-- before impact count second boundaries from epoch microseconds, as date_diff('second') does.
-- Output: a_deployment_features (incident_id, deployment_id, service_name, depth, minutes_before,
--   other_region, region_coverage, failed, latest, latest_successful, last_status, rolled_back_by)
-- Grain: (incident, deployment).  Parameters: $environment, $window_minutes, $skew_minutes.
CREATE OR REPLACE TEMP TABLE a_deployment_features AS
WITH incident_regions AS (
    SELECT incident_id, unnest(regions) AS value
    FROM a_incidents
    WHERE environment = $environment
),
region_bits AS (
    SELECT value, row_number() OVER (ORDER BY value) - 1 AS bit
    FROM (SELECT DISTINCT value FROM incident_regions)
),
incident_masks AS (
    SELECT r.incident_id,
           bit_or(1::UBIGINT << least(b.bit, 63)) FILTER (WHERE b.bit < 64) AS mask,
           max(b.bit) >= 64 AS wide
    FROM incident_regions AS r
    JOIN region_bits AS b USING (value)
    GROUP BY r.incident_id
),
exposed AS (
    SELECT i.incident_id, i.impact_started_at, i.regions, len(i.regions) > 0 AS names_regions,
           i.impact_started_at - to_minutes($window_minutes) AS window_start,
           i.impact_started_at + to_minutes($skew_minutes) AS window_end,
           coalesce(m.mask, 0) AS region_mask, coalesce(m.wide, false) AS wide,
           s.service_name, s.dependency_depth,
           unnest(range(
               floor(epoch(i.impact_started_at - to_minutes($window_minutes)) / 86400)::BIGINT,
               floor(epoch(i.impact_started_at + to_minutes($skew_minutes)) / 86400)::BIGINT + 1
           )) AS day
    FROM a_incidents AS i
    JOIN a_incident_services AS s USING (incident_id)
    LEFT JOIN incident_masks AS m USING (incident_id)
    WHERE i.environment = $environment
),
deployment_masks AS (
    SELECT r.deployment_id,
           coalesce(bit_or(1::UBIGINT << least(b.bit, 63)) FILTER (WHERE b.bit < 64), 0) AS mask
    FROM a_deployment_refs AS r
    LEFT JOIN region_bits AS b USING (value)
    WHERE r.kind = 'region'
    GROUP BY r.deployment_id
),
candidates AS (
    SELECT d.deployment_id, d.service_name, d.started_at, floor(epoch(d.started_at) / 86400)::BIGINT AS day,
           r.deployment_id IS NOT NULL AS names_regions, r.mask AS region_mask,
           coalesce(d.failed, false) AS failed, d.last_status, d.rolled_back_by
    FROM a_deployments AS d
    LEFT JOIN deployment_masks AS r USING (deployment_id)
    WHERE d.environment = $environment AND d.rollback_of IS NULL
),
pairs AS NOT MATERIALIZED (
    SELECT
        e.incident_id,
        d.deployment_id,
        d.service_name, d.started_at, d.failed, d.last_status, d.rolled_back_by,
        e.dependency_depth AS depth,
        (floor(epoch_us(e.impact_started_at) / 1000000) - floor(epoch_us(d.started_at) / 1000000))::BIGINT / 60.0
            AS minutes_before,
        e.names_regions AND d.names_regions AND e.region_mask & d.region_mask = 0 AS other_region,
        CASE WHEN e.names_regions AND d.names_regions AND e.region_mask & d.region_mask <> 0
             THEN ln(bit_count(e.region_mask & d.region_mask) / bit_count(d.region_mask)) ELSE 0 END
            AS region_coverage,
        e.wide,
        e.regions AS incident_regions
    FROM exposed AS e
    JOIN candidates AS d ON d.service_name = e.service_name AND d.day = e.day
    WHERE d.started_at BETWEEN e.window_start AND e.window_end
),
wide_pairs AS (
    SELECT p.incident_id, p.deployment_id, any_value(p.service_name) AS service_name,
           any_value(p.started_at) AS started_at, any_value(p.failed) AS failed,
           any_value(p.last_status) AS last_status, any_value(p.rolled_back_by) AS rolled_back_by,
           any_value(p.depth) AS depth,
           any_value(p.minutes_before) AS minutes_before,
           NOT list_has_any(any_value(p.incident_regions), list(r.value)) AS other_region,
           coalesce(ln(nullif(len(list_intersect(any_value(p.incident_regions), list(DISTINCT r.value))), 0)
                       / len(list(DISTINCT r.value) FILTER (WHERE r.value IN (SELECT value FROM region_bits)))),
                    0) AS region_coverage
    FROM pairs AS p
    JOIN a_deployment_refs AS r ON r.deployment_id = p.deployment_id AND r.kind = 'region'
    WHERE p.wide
    GROUP BY p.incident_id, p.deployment_id
),
placed AS (
    SELECT incident_id, deployment_id, service_name, started_at, failed, last_status, rolled_back_by,
           depth, minutes_before, other_region, region_coverage
    FROM pairs
    WHERE NOT wide
    UNION ALL
    SELECT incident_id, deployment_id, service_name, started_at, failed, last_status, rolled_back_by,
           depth, minutes_before, false, 0
    FROM pairs AS p
    WHERE wide AND NOT EXISTS (SELECT 1 FROM wide_pairs AS w
                               WHERE w.incident_id = p.incident_id AND w.deployment_id = p.deployment_id)
    UNION ALL
    SELECT incident_id, deployment_id, service_name, started_at, failed, last_status, rolled_back_by,
           depth, minutes_before, other_region, region_coverage
    FROM wide_pairs
)
SELECT incident_id, deployment_id, service_name, depth, minutes_before, other_region, region_coverage, failed,
       coalesce(minutes_before >= 0
                AND started_at = max(started_at) FILTER (WHERE minutes_before >= 0)
                                 OVER (PARTITION BY incident_id, service_name), false) AS latest,
       coalesce(minutes_before >= 0 AND NOT failed
                AND started_at = max(started_at) FILTER (WHERE minutes_before >= 0 AND NOT failed)
                                 OVER (PARTITION BY incident_id, service_name), false) AS latest_successful,
       last_status, rolled_back_by
FROM placed;
