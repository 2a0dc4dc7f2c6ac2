-- Evidence rows of the deployment and agent-action suspects. Each candidate of an incident (a row
-- of a_deployment_features or a_agent_features) gets a score, and its share against every other
-- candidate of the incident and "none of them":
--   share = exp(score) / (1 + sum of exp(score) over the incident's candidates),
-- a multinomial (conditional) logit whose weights were fitted on simulated histories
-- (analytics/link_weights.toml, METRICS.md "Calibration"): the probability that this candidate is
-- the cause, given the others. Its confidence is that share recalibrated (a Platt map fitted on
-- the calibration's histories; the top suspects' shares were overconfident):
--   confidence = 1 / (1 + exp(-(scale x logit(share) + shift))),
--   logit(share) = score - ln(total - exp(score)) (at least ln 1: "none" is in the total);
-- the map is per method in this file, fitted as one for every method so the order is kept;
-- scale 1 and shift 0 leave the share as it is.
-- Deployment score: deploy_bias + deploy_log_hours x ln(1 + hours before impact)
--   + deploy_after [started after impact start] + deploy_latest [latest deployment of the service
--   before impact] + deploy_latest_successful [latest one that did not fail] + deploy_failed
--   [failed or rolled back] + deploy_depth x dependency depth + deploy_other_region [no shared
--   region] + deploy_region_coverage x ln(share of its regions the incident names)
--   + deploy_component [a change it shipped touches a path that names a word of the incident's
--   title, a_change_shares] + deploy_risky [it shipped a change touching deploy, config, IAM,
--   migration or control-plane paths] + deploy_log_lines x ln(1 + lines changed of its largest
--   change) + deploy_latest_component [the latest one before impact whose changes touch the
--   component the incident names] + deploy_log_lags x ln(1 + minutes before impact / the lake's
--   lag) + deploy_lag_gap x (ln(1 + minutes before) - ln(1 + the lake's lag))^2 + the lake's lag
--   level x (deploy_component_lag [component] + deploy_log_hours_lag x ln(1 + hours before
--   impact) + deploy_latest_lag [latest] + deploy_latest_successful_lag [latest successful])
--   + deploy_log_candidates x ln(number of the incident's deployment candidates)
--   (a_deployment_context, link_deployment_context.sql; the lake's lag: link_lake_lag.sql);
--   method rollback when failed, else time_window (depth 0) or dependency.
-- Agent-action score: agent_bias + agent_mutate_config | agent_destructive [tier, against
--   mutate] + agent_log_hours x ln(1 + hours before impact) + agent_after + agent_depth x depth.
-- Output: rows of a_link_evidence.  Grain: (incident, deployment) and (incident, agent action).
-- Parameters: the deploy_*, agent_* and calib_* weights.
INSERT INTO a_link_evidence
WITH deployments AS (
    SELECT f.*, coalesce(c.component, false) AS component, coalesce(c.risky, false) AS risky,
           $deploy_bias
           + $deploy_log_hours * ln(1 + greatest(f.minutes_before, 0) / 60)
           + CASE WHEN f.minutes_before < 0 THEN $deploy_after ELSE 0 END
           + CASE WHEN f.latest THEN $deploy_latest ELSE 0 END
           + CASE WHEN f.latest_successful THEN $deploy_latest_successful ELSE 0 END
           + CASE WHEN f.failed THEN $deploy_failed ELSE 0 END
           + $deploy_depth * f.depth
           + CASE WHEN f.other_region THEN $deploy_other_region ELSE 0 END
           + $deploy_region_coverage * f.region_coverage
           + CASE WHEN c.component THEN $deploy_component ELSE 0 END
           + CASE WHEN c.risky THEN $deploy_risky ELSE 0 END
           + $deploy_log_lines * coalesce(c.log_lines, 0)
           + CASE WHEN c.latest_component THEN $deploy_latest_component ELSE 0 END
           + $deploy_log_lags * coalesce(c.log_lags, 0)
           + $deploy_lag_gap * coalesce(c.lag_gap, 0)
           + $deploy_log_candidates * coalesce(c.log_candidates, 0)
           + coalesce(c.lag_level, 0) * (CASE WHEN c.component THEN $deploy_component_lag ELSE 0 END
                                         + $deploy_log_hours_lag * ln(1 + greatest(f.minutes_before, 0) / 60)
                                         + CASE WHEN f.latest THEN $deploy_latest_lag ELSE 0 END
                                         + CASE WHEN f.latest_successful THEN $deploy_latest_successful_lag
                                                ELSE 0 END)
               AS score,
           CASE WHEN f.failed THEN 'rollback' WHEN f.depth = 0 THEN 'time_window' ELSE 'dependency' END AS method
    FROM a_deployment_features AS f
    LEFT JOIN a_deployment_context AS c USING (incident_id, deployment_id)
),
agents AS (
    SELECT *,
           $agent_bias
           + CASE tier WHEN 'mutate_config' THEN $agent_mutate_config
                       WHEN 'destructive' THEN $agent_destructive ELSE 0 END
           + $agent_log_hours * ln(1 + greatest(minutes_before, 0) / 60)
           + CASE WHEN minutes_before < 0 THEN $agent_after ELSE 0 END
           + $agent_depth * depth AS score
    FROM a_agent_features
),
calibration(method, scale, shift) AS (
    VALUES ('time_window', $calib_time_window_scale, $calib_time_window_shift),
           ('dependency', $calib_dependency_scale, $calib_dependency_shift),
           ('rollback', $calib_rollback_scale, $calib_rollback_shift),
           ('agent_action', $calib_agent_action_scale, $calib_agent_action_shift)
),
totals AS (
    SELECT incident_id, 1 + sum(exp(score)) AS total
    FROM (SELECT incident_id, score FROM deployments UNION ALL SELECT incident_id, score FROM agents)
    GROUP BY incident_id
)
SELECT
    incident_id,
    'deployment',
    deployment_id,
    method,
    1 / (1 + exp(-(k.scale * (score - ln(greatest(total - exp(score), 1))) + k.shift))),
    'deployed ' || round(minutes_before) || ' min before impact, dependency depth ' || depth
        || CASE WHEN latest_successful THEN ', latest successful deployment of ' || service_name
                WHEN latest THEN ', latest deployment of ' || service_name ELSE '' END
        || CASE WHEN failed THEN ', ' || coalesce(last_status, 'failed')
                                 || coalesce(', rolled back by ' || rolled_back_by, '') ELSE '' END
        || CASE WHEN other_region THEN ', no shared region' ELSE '' END
        || CASE WHEN component THEN ', ships a change touching the component the incident names' ELSE '' END,
    'deployment ' || deployment_id
FROM deployments
JOIN totals USING (incident_id)
JOIN calibration AS k USING (method)
UNION ALL
SELECT
    incident_id,
    'agent_action',
    event_id,
    'agent_action',
    1 / (1 + exp(-(k.scale * (score - ln(greatest(total - exp(score), 1))) + k.shift))),
    tier || ' action by ' || agent || ' ' || round(minutes_before) || ' min before impact',
    'agent_action ' || event_id
FROM agents
JOIN totals USING (incident_id)
JOIN calibration AS k ON k.method = 'agent_action';
