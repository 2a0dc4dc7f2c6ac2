-- The lake's lag, an estimator (not a fitted weight): how long after a deployment an incident of
-- this organisation typically starts, for the log_lags feature (link_deployment_context.sql). Per
-- incident whose title names a component that a candidate deployment's changes touch
-- (a_change_shares), the minutes from the nearest such deployment that started at or before
-- impact start; their mean on the ln(1 + minutes) scale, shrunk toward a prior of 60 minutes
-- worth 5 incidents (an empirical-Bayes blend: a lake with few such incidents keeps the prior).
-- Output: a_lake_lag (incidents, lag_minutes).  Grain: one row.  Parameters: none.
CREATE OR REPLACE TEMP TABLE a_lake_lag AS
WITH shipped AS (
    SELECT incident_id, deployment_id, bool_or(component) AS component
    FROM a_change_shares
    GROUP BY incident_id, deployment_id
),
nearest AS (
    SELECT f.incident_id, min(f.minutes_before) AS minutes
    FROM a_deployment_features AS f
    JOIN shipped AS s USING (incident_id, deployment_id)
    WHERE s.component AND f.minutes_before >= 0
    GROUP BY f.incident_id
)
SELECT count(*) AS incidents,
       exp((coalesce(sum(ln(1 + minutes)), 0) + 5 * ln(1 + 60.0)) / (count(*) + 5)) - 1 AS lag_minutes
FROM nearest;
