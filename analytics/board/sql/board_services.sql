-- Every service the model knows of: deployed, changed or affected by an incident.
-- Output: service_name.  Grain: service_name.  Parameters: none.
SELECT service_name FROM a_deployments WHERE service_name IS NOT NULL
UNION
SELECT service_name FROM a_changes WHERE service_name IS NOT NULL
UNION
SELECT service_name FROM a_incident_services WHERE service_name IS NOT NULL
ORDER BY service_name;
