-- The deployment suspects' features (link_deployment_features.sql, and what its shipped changes
-- say: one touches the component the incident names, one touches risky paths, the largest one's
-- lines), for calibrating the weights.
-- Output: incident_id, deployment_id, depth, minutes_before, other_region, region_coverage, failed, latest,
--   latest_successful, component, risky, log_lines
-- Grain: (incident, deployment).  Parameters: none.
SELECT f.incident_id, f.deployment_id, f.depth, f.minutes_before, f.other_region, f.region_coverage,
       f.failed, f.latest,
       f.latest_successful, coalesce(c.component, false) AS component, coalesce(c.risky, false) AS risky,
       coalesce(c.log_lines, 0) AS log_lines
FROM a_deployment_features AS f
LEFT JOIN (SELECT incident_id, deployment_id, bool_or(component) AS component, bool_or(risky) AS risky,
                  max(ln(1 + lines_changed)) AS log_lines
           FROM a_change_shares GROUP BY incident_id, deployment_id) AS c USING (incident_id, deployment_id)
ORDER BY f.incident_id, f.deployment_id;
