-- Lead time for changes: minutes from a change's first commit to the finish of its first
-- succeeded deployment to $environment, for changes whose first deployment to $environment
-- started in [$since, $until). The median and the distribution-free 95 % interval of the median
-- (order statistics j = floor(n/2 - $half_z * sqrt(n)) and k = ceil(1 + n/2 + $half_z * sqrt(n)),
-- $half_z = 1.96 / 2); lower/upper are NULL when n is too small for that interval.
-- Output: changes (deployed in the period), n (with a lead time), median_minutes, lower, upper
-- Grain: one row.  Parameters: $environment, $since, $until, $half_z.
WITH firsts AS (
    SELECT dc.change_id,
           min(d.started_at) AS first_deployed_at,
           min(d.finished_at) FILTER (WHERE d.last_status = 'succeeded') AS first_success_at
    FROM a_deployment_changes AS dc
    JOIN a_deployments AS d USING (deployment_id)
    WHERE d.environment = $environment
    GROUP BY dc.change_id
),
lead AS (
    SELECT f.change_id, date_diff('second', c.committed_at, f.first_success_at) / 60.0 AS minutes
    FROM firsts AS f
    LEFT JOIN a_changes AS c USING (change_id)
    WHERE f.first_deployed_at >= $since AND f.first_deployed_at < $until
),
ranked AS (
    SELECT minutes, row_number() OVER (ORDER BY minutes) AS r, count(*) OVER () AS n
    FROM lead WHERE minutes IS NOT NULL
)
SELECT
    (SELECT count(*) FROM lead) AS changes,
    count(*) AS n,
    median(minutes) AS median_minutes,
    max(minutes) FILTER (WHERE r = floor(n / 2 - $half_z * sqrt(n))) AS lower,
    max(minutes) FILTER (WHERE r = ceil(1 + n / 2 + $half_z * sqrt(n))) AS upper
FROM ranked;
