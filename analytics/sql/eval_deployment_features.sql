-- The deployment suspects' features (link_deployment_features.sql, and a_deployment_context of
-- link_deployment_context.sql: what its shipped changes say - one touches the component the
-- incident names, one touches risky paths, the largest one's lines - the latest deployment
-- touching that component, time in the lake's own lag), for calibrating the weights.
-- Output: incident_id, deployment_id, depth, minutes_before, other_region, region_coverage, failed, latest,
--   latest_successful, component, risky, log_lines, latest_component, log_lags, lag_gap, lag_level, log_candidates
-- Grain: (incident, deployment).  Parameters: none.
SELECT f.incident_id, f.deployment_id, f.depth, f.minutes_before, f.other_region, f.region_coverage,
       f.failed, f.latest,
       f.latest_successful, coalesce(c.component, false) AS component, coalesce(c.risky, false) AS risky,
       coalesce(c.log_lines, 0) AS log_lines, coalesce(c.latest_component, false) AS latest_component,
       coalesce(c.log_lags, 0) AS log_lags, coalesce(c.lag_gap, 0) AS lag_gap,
       coalesce(c.lag_level, 0) AS lag_level, coalesce(c.log_candidates, 0) AS log_candidates
FROM a_deployment_features AS f
LEFT JOIN a_deployment_context AS c USING (incident_id, deployment_id)
ORDER BY f.incident_id, f.deployment_id;
