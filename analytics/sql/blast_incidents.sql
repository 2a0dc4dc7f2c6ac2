-- Blast radius of every incident of $environment, as a vector and one scalar for ranking.
-- impact_minutes = duration_minutes x severity weight (sev1 1, sev2 0.5, sev3 0.25, sev4 0.1,
--   sev5 0.05) x weighted services, where weighted services = sum over affected services of
--   criticality weight (crit1 1, crit2 0.5, crit3 0.25, crit4 0.1) / (1 + dependency depth);
--   NULL when the incident has not ended (no mitigation or resolution time).
-- Output: incident_id, title, severity, impact_started_at, ended_at, duration_minutes, services,
--   max_dependency_depth, weighted_services, regions, cells, users_affected, tenants_affected,
--   failed_requests, error_budget_burn, impact_minutes
-- Grain: incident_id.  Parameters: $environment.  Builds temp table a_blast.
CREATE OR REPLACE TEMP TABLE a_blast AS
WITH services AS (
    SELECT incident_id,
           count(*) AS services,
           max(dependency_depth) AS max_dependency_depth,
           sum(CASE criticality WHEN 1 THEN 1.0 WHEN 2 THEN 0.5 WHEN 3 THEN 0.25 ELSE 0.1 END
               / (1 + dependency_depth)) AS weighted_services
    FROM a_incident_services
    GROUP BY incident_id
)
SELECT
    i.incident_id, i.title, i.severity, i.impact_started_at, i.ended_at,
    date_diff('second', i.impact_started_at, i.ended_at) / 60.0 AS duration_minutes,
    coalesce(s.services, 0) AS services,
    s.max_dependency_depth,
    coalesce(s.weighted_services, 0) AS weighted_services,
    len(i.regions) AS regions,
    len(i.cells) AS cells,
    i.users_affected, i.tenants_affected, i.failed_requests, i.error_budget_burn,
    date_diff('second', i.impact_started_at, i.ended_at) / 60.0
        * CASE i.severity WHEN 1 THEN 1.0 WHEN 2 THEN 0.5 WHEN 3 THEN 0.25 WHEN 4 THEN 0.1 ELSE 0.05 END
        * coalesce(s.weighted_services, 0) AS impact_minutes
FROM a_incidents AS i
LEFT JOIN services AS s USING (incident_id)
WHERE i.environment = $environment;
