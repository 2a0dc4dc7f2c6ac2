-- Every suspected deployment's changes with their features (link_change_features.sql), for
-- calibrating the change weights.
-- Output: incident_id, deployment_id, change_id, is_head, position, risky, lines_changed, component
-- Grain: (incident, deployment, change).  Parameters: none.
SELECT incident_id, deployment_id, change_id, is_head, position, risky, lines_changed, component
FROM a_change_shares
ORDER BY incident_id, deployment_id, change_id;
