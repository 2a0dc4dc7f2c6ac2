-- The lake's lag, an estimator (not a fitted weight): how long after a deployment an incident of
-- this organisation typically starts, and how much that varies, for the time features of
-- link_deployment_context.sql. On the ln(1 + minutes) scale the delay from the causing deployment
-- to impact start is taken as normal (mean mu, spread s), estimated from the incidents whose title
-- names a component that a candidate deployment's changes touch (a_change_shares): their
-- candidates are the deployments touching it that started at or before impact start and did not
-- fail (a failed deployment's incident shows during the rollout, on another clock). Which of them
-- caused the incident is unknown, so the estimate is an expectation-maximisation fit of a mixture:
-- candidate j of an incident is the cause with weight
--   w_j = f(x_j) / (sum over the incident's candidates of f + 1),
--   f(x) = window_minutes x normal density(x; mu, s) x exp(-x),
-- the delay density against that of a deployment at a uniform time in the window (on this scale
-- exp(x) / window_minutes), and the 1 for "none of them"; then mu and s are the weighted mean and
-- spread of x, each with a prior worth one incident (mu ln 61, i.e. 60 minutes; variance 1), s at
-- least 0.2; 50 rounds from the prior. A lake with no such incident keeps the prior (60 minutes,
-- spread 1). The nearest component-touching deployment alone (the estimator before this one) read
-- 40-60 % short where incidents surface hours late: later, innocent deployments sit nearer.
-- Output: a_lake_lag (incidents, lag_minutes = exp(mu) - 1, log_mean = mu, log_spread = s).
-- Grain: one row.  Parameters: $window_minutes.
CREATE OR REPLACE TEMP TABLE a_lake_lag AS
WITH RECURSIVE shipped AS (
    SELECT incident_id, deployment_id, bool_or(component) AS component
    FROM a_change_shares
    GROUP BY incident_id, deployment_id
),
candidates AS (
    SELECT f.incident_id, ln(1 + f.minutes_before) AS x
    FROM a_deployment_features AS f
    JOIN shipped AS s USING (incident_id, deployment_id)
    WHERE s.component AND f.minutes_before >= 0 AND NOT f.failed
),
prior(mu, variance, weight) AS (
    VALUES (ln(61.0), 1.0, 1.0)
),
rounds(round, mu, s) AS (
    SELECT 0, mu, sqrt(variance) FROM prior
    UNION ALL
    SELECT any_value(w.round) + 1,
           (sum(w.w * w.x) + any_value(p.weight * p.mu)) / (sum(w.w) + any_value(p.weight)),
           greatest(sqrt(greatest(
               (sum(w.w * w.x * w.x)
                - 2 * ((sum(w.w * w.x) + any_value(p.weight * p.mu)) / (sum(w.w) + any_value(p.weight)))
                    * sum(w.w * w.x)
                + pow((sum(w.w * w.x) + any_value(p.weight * p.mu)) / (sum(w.w) + any_value(p.weight)), 2)
                    * sum(w.w)
                + any_value(p.weight * p.variance))
               / (sum(w.w) + any_value(p.weight)), 0)), 0.2)
    FROM (
        SELECT r.round, c.x,
               f.density / (sum(f.density) OVER (PARTITION BY c.incident_id) + 1) AS w
        FROM rounds AS r
        CROSS JOIN candidates AS c
        CROSS JOIN LATERAL (
            SELECT $window_minutes * exp(-0.5 * pow((c.x - r.mu) / r.s, 2)) / (r.s * sqrt(2 * pi())) * exp(-c.x)
                AS density
        ) AS f
        WHERE r.round < 50
    ) AS w
    CROSS JOIN prior AS p
    GROUP BY w.round
)
SELECT (SELECT count(DISTINCT incident_id) FROM candidates) AS incidents,
       exp(mu) - 1 AS lag_minutes, mu AS log_mean, s AS log_spread
FROM rounds
ORDER BY round DESC
LIMIT 1;
