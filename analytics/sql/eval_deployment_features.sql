-- The deployment suspects' features (link_deployment_features.sql), for calibrating the weights.
-- Output: incident_id, deployment_id, depth, minutes_before, other_region, failed, latest, latest_successful
-- Grain: (incident, deployment).  Parameters: none.
SELECT incident_id, deployment_id, depth, minutes_before, other_region, failed, latest, latest_successful
FROM a_deployment_features
ORDER BY incident_id, deployment_id;
