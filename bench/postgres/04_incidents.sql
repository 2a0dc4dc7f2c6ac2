-- PostgreSQL translation of model_incidents.sql and model_incident_services.sql, with the lists
-- as long tables: a_incident_regions, a_incident_cells, a_incident_causes, a_incident_values.
CREATE UNLOGGED TABLE a_incidents AS
SELECT
    incident_id,
    min(severity) AS severity,
    coalesce((array_agg(deployment_environment_name ORDER BY occurred_at DESC)
                 FILTER (WHERE deployment_environment_name IS NOT NULL))[1], :'environment') AS environment,
    (array_agg(service_name ORDER BY occurred_at DESC) FILTER (WHERE service_name IS NOT NULL))[1]
        AS service_name,
    coalesce(min(impact_started_at), min(detected_at), min(occurred_at)) AS impact_started_at,
    coalesce(max(mitigated_at), max(resolved_at)) AS ended_at,
    max(users_affected) AS users_affected,
    max(tenants_affected) AS tenants_affected,
    max(failed_requests) AS failed_requests,
    max(error_budget_burn) AS error_budget_burn,
    min(change_id) AS correlated_change_id,
    min(deployment_id) AS correlated_deployment_id
FROM ev_incident
WHERE incident_id IS NOT NULL
GROUP BY incident_id;

CREATE UNLOGGED TABLE a_incident_regions AS
SELECT DISTINCT e.incident_id, r.region
FROM ev_incident AS e, jsonb_array_elements_text(e.regions) AS r(region)
WHERE e.incident_id IS NOT NULL AND r.region IS NOT NULL;

CREATE UNLOGGED TABLE a_incident_cells AS
SELECT DISTINCT e.incident_id, c.cell
FROM ev_incident AS e, jsonb_array_elements_text(e.cells) AS c(cell)
WHERE e.incident_id IS NOT NULL AND c.cell IS NOT NULL;

CREATE UNLOGGED TABLE a_incident_causes AS
SELECT DISTINCT e.incident_id, c ->> 'kind' AS kind, c ->> 'ref' AS ref, c ->> 'status' AS status
FROM ev_incident AS e, jsonb_array_elements(e.causes) AS c
WHERE e.incident_id IS NOT NULL;

CREATE UNLOGGED TABLE a_incident_values AS
SELECT DISTINCT e.incident_id, a.value
FROM ev_incident AS e, jsonb_each_text(e.attributes) AS a
WHERE e.incident_id IS NOT NULL AND a.value IS NOT NULL;

CREATE UNLOGGED TABLE a_incident_services AS
WITH listed AS (
    SELECT e.incident_id, s ->> 'name' AS name, (s ->> 'criticality')::bigint AS criticality,
           (s ->> 'dependency_depth')::bigint AS dependency_depth
    FROM ev_incident AS e, jsonb_array_elements(e.affected_services) AS s
    WHERE e.incident_id IS NOT NULL
),
merged AS (
    SELECT incident_id, name AS service_name, min(criticality) AS criticality,
           min(dependency_depth) AS dependency_depth
    FROM listed GROUP BY incident_id, name
)
SELECT * FROM merged
UNION ALL
SELECT i.incident_id, i.service_name, 3, 0
FROM a_incidents AS i
WHERE i.service_name IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM merged AS m WHERE m.incident_id = i.incident_id);

CREATE INDEX ON a_incidents (incident_id);
CREATE INDEX ON a_incident_regions (incident_id);
CREATE INDEX ON a_incident_services (incident_id);
ANALYZE a_incidents, a_incident_regions, a_incident_cells, a_incident_causes, a_incident_values,
    a_incident_services;
