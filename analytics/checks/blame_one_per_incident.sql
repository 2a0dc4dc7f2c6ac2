-- Each incident has at most one blamed cause, and a linked incident names one: returns incidents
-- with several blame rows, or linked without a suspect.
-- Output: incident_id, problem.  Grain: incident.  Parameters: none.
SELECT incident_id, 'rows ' || count(*) AS problem
FROM a_incident_blame GROUP BY incident_id HAVING count(*) > 1
UNION ALL
SELECT incident_id, 'linked without a suspect' FROM a_incident_blame WHERE linked AND suspect_id IS NULL;
