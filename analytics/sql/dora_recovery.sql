-- Failed deployment recovery time over a_deploy_outcomes: median minutes and the
-- distribution-free 95 % interval of the median (see dora_lead_time.sql).
-- Output: failed, n (with a recovery time), median_minutes, lower, upper
-- Grain: one row.  Parameters: $half_z.
WITH ranked AS (
    SELECT recovery_minutes AS minutes, row_number() OVER (ORDER BY recovery_minutes) AS r,
           count(*) OVER () AS n
    FROM a_deploy_outcomes WHERE failed AND recovery_minutes IS NOT NULL
)
SELECT
    (SELECT count(*) FROM a_deploy_outcomes WHERE failed) AS failed,
    count(*) AS n,
    median(minutes) AS median_minutes,
    max(minutes) FILTER (WHERE r = floor(n / 2 - $half_z * sqrt(n))) AS lower,
    max(minutes) FILTER (WHERE r = ceil(1 + n / 2 + $half_z * sqrt(n))) AS upper
FROM ranked;
