-- One row per incident: its lifecycle events folded together. Timestamps take the earliest
-- report of a start and the latest report of an end; blast-radius counts take their maximum.
-- An incident with no environment is taken to be in $environment.
-- Output: incident_id, title, status, severity, environment, service_name, impact_started_at
--   (impact start, else detection, else first event), detected_at, acknowledged_at,
--   mitigated_at, resolved_at, ended_at (mitigation, else resolution), regions, cells,
--   users_affected, tenants_affected, failed_requests, error_budget_burn, causes, source_refs,
--   attribute_values, correlated_change_id, correlated_deployment_id
-- Grain: incident_id.  Parameters: $environment.
CREATE OR REPLACE TEMP TABLE a_incidents AS
SELECT
    incident_id,
    arg_max(title, occurred_at) AS title,
    arg_max(status, occurred_at) AS status,
    min(severity) AS severity,
    coalesce(
        arg_max(deployment_environment_name, occurred_at) FILTER (WHERE deployment_environment_name IS NOT NULL),
        $environment
    ) AS environment,
    arg_max(service_name, occurred_at) FILTER (WHERE service_name IS NOT NULL) AS service_name,
    coalesce(min(impact_started_at), min(detected_at), min(occurred_at)) AS impact_started_at,
    min(detected_at) AS detected_at,
    min(acknowledged_at) AS acknowledged_at,
    max(mitigated_at) AS mitigated_at,
    max(resolved_at) AS resolved_at,
    coalesce(max(mitigated_at), max(resolved_at)) AS ended_at,
    list_distinct(flatten(list(regions))) AS regions,
    list_distinct(flatten(list(cells))) AS cells,
    max(users_affected) AS users_affected,
    max(tenants_affected) AS tenants_affected,
    max(failed_requests) AS failed_requests,
    max(error_budget_burn) AS error_budget_burn,
    list_distinct(flatten(list(causes))) AS causes,
    list_distinct(list(source_ref) FILTER (WHERE source_ref IS NOT NULL)) AS source_refs,
    list_distinct(flatten(list(map_values(attributes)))) AS attribute_values,
    any_value(change_id) FILTER (WHERE change_id IS NOT NULL) AS correlated_change_id,
    any_value(deployment_id) FILTER (WHERE deployment_id IS NOT NULL) AS correlated_deployment_id
FROM incident
WHERE incident_id IS NOT NULL
GROUP BY incident_id;
