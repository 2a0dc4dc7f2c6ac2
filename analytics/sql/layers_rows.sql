-- The layers of the incidents that started in [$since, $until) (rows of a_layers, built by
-- layers_incidents.sql), oldest first.
-- Output: the columns of a_layers.  Grain: incident_id.  Parameters: $since, $until.
SELECT * FROM a_layers
WHERE impact_started_at >= $since AND impact_started_at < $until
ORDER BY impact_started_at, incident_id;
