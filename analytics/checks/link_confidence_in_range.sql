-- Link confidences are probabilities and ranks are a permutation: returns links with a
-- confidence outside (0, 1], and incidents whose ranks are not 1..n.
-- Output: incident_id, problem.  Grain: incident.  Parameters: none.
SELECT incident_id, 'confidence ' || confidence AS problem
FROM a_links WHERE NOT (confidence > 0 AND confidence <= 1)
UNION ALL
SELECT incident_id, 'ranks ' || min(rank) || '..' || max(rank) || ' over ' || count(*) || ' suspects'
FROM a_links GROUP BY incident_id HAVING min(rank) <> 1 OR max(rank) <> count(*) OR count(DISTINCT rank) <> count(*);
