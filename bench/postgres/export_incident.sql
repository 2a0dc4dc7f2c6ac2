-- DuckDB side of the load: incident events; column order matches schema.sql's ev_incident.
SELECT incident_id, occurred_at, title, status, severity, deployment_environment_name, service_name,
       impact_started_at, detected_at, mitigated_at, resolved_at, to_json(regions) AS regions,
       to_json(cells) AS cells, users_affected, tenants_affected, failed_requests, error_budget_burn,
       to_json(causes) AS causes, source_ref, to_json(attributes) AS attributes, change_id, deployment_id,
       to_json(affected_services) AS affected_services
FROM incident
