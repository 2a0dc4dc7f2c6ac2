-- The layers table has one row per incident, only for incidents blamed on a change, and its
-- count of layers held matches the layers: returns incidents that break this.
-- Output: incident_id, problem.  Grain: incident.  Parameters: none.
SELECT incident_id, 'rows ' || count(*) AS problem
FROM a_layers GROUP BY incident_id HAVING count(*) > 1
UNION ALL
SELECT l.incident_id, 'not blamed on this change'
FROM a_layers AS l
LEFT JOIN a_incident_blame AS b ON b.incident_id = l.incident_id AND b.linked AND b.change_id = l.change_id
WHERE b.incident_id IS NULL
UNION ALL
SELECT incident_id, 'layers_held ' || layers_held
FROM a_layers
WHERE layers_held <> (gate = 'held')::INTEGER + (rollout = 'held')::INTEGER + (rollback = 'held')::INTEGER
   OR layers_held NOT BETWEEN 0 AND 3;
