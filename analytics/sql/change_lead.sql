-- Every change deployed to $environment with the start of its first deployment there and its
-- lead time: minutes from its first commit to the finish of its first succeeded deployment to
-- $environment (NULL when it has none, or no commit time). Period-free: dora_lead_time.sql picks
-- the changes whose first deployment started in the report period. Seconds are counted as
-- date_diff('second') counts them (boundaries crossed), from epoch microseconds: date_diff on
-- TIMESTAMPTZ is calendar arithmetic, about 150 ns a row.
-- Output: change_id, first_deployed_at, minutes
-- Grain: change_id.  Parameters: $environment.  Builds temp table a_change_lead.
CREATE OR REPLACE TEMP TABLE a_change_lead AS
WITH firsts AS (
    SELECT dc.change_id,
           min(d.started_at) AS first_deployed_at,
           min(d.finished_at) FILTER (WHERE d.last_status = 'succeeded') AS first_success_at
    FROM a_deployment_changes AS dc
    JOIN a_deployments AS d USING (deployment_id)
    WHERE d.environment = $environment
    GROUP BY dc.change_id
)
SELECT f.change_id, f.first_deployed_at,
       (floor(epoch_us(f.first_success_at) / 1000000) - floor(epoch_us(c.committed_at) / 1000000))::BIGINT / 60.0
           AS minutes
FROM firsts AS f
LEFT JOIN a_changes AS c USING (change_id);
