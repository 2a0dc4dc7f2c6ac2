-- The services each incident affected, with criticality (1 = business critical .. 4) and
-- dependency depth (0 = the failing service). Reported lists are merged across lifecycle events
-- (lowest depth and most critical rating win); an incident that lists none counts its envelope
-- service at depth 0 and criticality 3.
-- Output: incident_id, service_name, criticality, dependency_depth
-- Grain: (incident_id, service_name).  Parameters: none.
CREATE OR REPLACE TEMP TABLE a_incident_services AS
WITH listed AS (
    SELECT incident_id, unnest(affected_services, recursive := true)
    FROM incident
    WHERE incident_id IS NOT NULL
),
merged AS (
    SELECT incident_id, name AS service_name, min(criticality) AS criticality,
           min(dependency_depth) AS dependency_depth
    FROM listed
    GROUP BY incident_id, name
)
SELECT * FROM merged
UNION ALL
SELECT i.incident_id, i.service_name, 3, 0
FROM a_incidents AS i
WHERE i.service_name IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM merged AS m WHERE m.incident_id = i.incident_id);
