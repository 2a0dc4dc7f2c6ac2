-- How many layers held, per incident that started in [$since, $until) and was caused by a
-- change (a_layers): incidents per count of layers that held (0 to 3).
-- Output: layers_held, incidents.  Grain: layers_held.  Parameters: $since, $until.
SELECT layers_held, count(*) AS incidents
FROM a_layers
WHERE impact_started_at >= $since AND impact_started_at < $until
GROUP BY layers_held
ORDER BY layers_held;
