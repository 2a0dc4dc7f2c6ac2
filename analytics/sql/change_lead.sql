-- Every change deployed to $environment with the start of its first deployment there and its
-- lead time: minutes from its first commit to the finish of its first succeeded deployment to
-- $environment (NULL when it has none, or no commit time). Period-free: dora_lead_time.sql picks
-- the changes whose first deployment started in the report period.
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
       date_diff('second', c.committed_at, f.first_success_at) / 60.0 AS minutes
FROM firsts AS f
LEFT JOIN a_changes AS c USING (change_id);
