-- The layers of one incident (its row of a_layers, built by layers_incidents.sql); no row when
-- its top suspect is not a change.
-- Output: the columns of a_layers.  Grain: incident_id.  Parameters: $incident_id.
SELECT * FROM a_layers WHERE incident_id = $incident_id;
