-- The deployment suspects' features (link_deployment_features.sql, and whether a change it
-- shipped touches the component the incident names), for calibrating the weights.
-- Output: incident_id, deployment_id, depth, minutes_before, other_region, failed, latest,
--   latest_successful, component
-- Grain: (incident, deployment).  Parameters: none.
SELECT f.incident_id, f.deployment_id, f.depth, f.minutes_before, f.other_region, f.failed, f.latest,
       f.latest_successful, coalesce(c.component, false) AS component
FROM a_deployment_features AS f
LEFT JOIN (SELECT incident_id, deployment_id, bool_or(component) AS component
           FROM a_change_shares GROUP BY incident_id, deployment_id) AS c USING (incident_id, deployment_id)
ORDER BY f.incident_id, f.deployment_id;
