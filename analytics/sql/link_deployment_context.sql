-- What a deployment suspect shipped and where it stands among the incident's other candidates,
-- for link_score.sql and the calibration (eval_deployment_features.sql). From a_change_shares: a
-- shipped change touches the component the incident's title names (component), one touches risky
-- paths (risky), ln(1 + lines) of its largest change (log_lines). latest_component: the latest
-- deployment of the service that started at or before impact start among those whose changes
-- touch the named component. log_lags: ln(1 + minutes before impact / the lake's lag, a_lake_lag
-- from link_lake_lag.sql), time measured in this organisation's own typical lag. lag_gap:
-- ((ln(1 + minutes before impact) - the lake's mean log delay) / its spread)^2, how far from the
-- typical lag on the log scale in units of the lake's own spread (with log_lags, a lognormal-shaped
-- delay: a deployment much nearer to impact than the organisation's usual lag is weaker evidence
-- too); 0 for a failed or rolled-back deployment, whose incident shows during the rollout rather
-- than after the usual lag (the failed and latest features carry it). lag_level: ln((1 + the lake's lag) / 61), 0 for
-- the prior's 60 minutes and above 0 where incidents surface later; the score multiplies it with
-- the component and time features, so what weighs more when time says less is fitted too.
-- log_candidates: ln(number of the incident's deployment candidates), so that a crowded window
-- (an organisation that deploys often) does not by itself make "one of them did it" likelier.
-- Output: a_deployment_context (incident_id, deployment_id, component, risky, log_lines,
--   latest_component, log_lags, lag_gap, lag_level, log_candidates)
-- Grain: (incident, deployment).  Parameters: none.
CREATE OR REPLACE TEMP TABLE a_deployment_context AS
WITH shipped AS (
    SELECT incident_id, deployment_id, bool_or(component) AS component, bool_or(risky) AS risky,
           max(ln(1 + lines_changed)) AS log_lines
    FROM a_change_shares
    GROUP BY incident_id, deployment_id
),
joined AS (
    SELECT f.incident_id, f.deployment_id, f.service_name, f.minutes_before, f.failed,
           coalesce(s.component, false) AS component, coalesce(s.risky, false) AS risky,
           coalesce(s.log_lines, 0) AS log_lines
    FROM a_deployment_features AS f
    LEFT JOIN shipped AS s USING (incident_id, deployment_id)
)
SELECT j.incident_id, j.deployment_id, j.component, j.risky, j.log_lines,
       coalesce(j.component AND j.minutes_before >= 0
                AND j.minutes_before = min(j.minutes_before) FILTER (WHERE j.component AND j.minutes_before >= 0)
                                       OVER (PARTITION BY j.incident_id, j.service_name), false)
           AS latest_component,
       ln(1 + greatest(j.minutes_before, 0) / l.lag_minutes) AS log_lags,
       CASE WHEN j.failed THEN 0
            ELSE pow((ln(1 + greatest(j.minutes_before, 0)) - l.log_mean) / l.log_spread, 2) END AS lag_gap,
       ln((1 + l.lag_minutes) / 61) AS lag_level,
       ln(count(*) OVER (PARTITION BY j.incident_id)) AS log_candidates
FROM joined AS j
CROSS JOIN a_lake_lag AS l;
