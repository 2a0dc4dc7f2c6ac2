-- Failed deployment recovery time of the deployments of a_deploy_outcomes that started in
-- [$since, $until): median minutes and the distribution-free 95 % interval of the median (see
-- dora_lead_time.sql).
-- Output: failed, n (with a recovery time), median_minutes, lower, upper
-- Grain: one row.  Parameters: $since, $until, $half_z.
WITH scope AS (
    SELECT failed, recovery_minutes FROM a_deploy_outcomes
    WHERE started_at >= $since AND started_at < $until
),
ranked AS (
    SELECT recovery_minutes AS minutes, row_number() OVER (ORDER BY recovery_minutes) AS r,
           count(*) OVER () AS n
    FROM scope WHERE failed AND recovery_minutes IS NOT NULL
)
SELECT
    (SELECT count(*) FROM scope WHERE failed) AS failed,
    count(*) AS n,
    median(minutes) AS median_minutes,
    max(minutes) FILTER (WHERE r = floor(n / 2 - $half_z * sqrt(n))) AS lower,
    max(minutes) FILTER (WHERE r = ceil(1 + n / 2 + $half_z * sqrt(n))) AS upper
FROM ranked;
