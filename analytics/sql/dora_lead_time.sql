-- Lead time for changes: minutes from a change's first commit to the finish of its first
-- succeeded deployment to the environment (a_change_lead, see change_lead.sql), for changes whose
-- first deployment there started in [$since, $until). The median and the distribution-free 95 %
-- interval of the median (order statistics j = floor(n/2 - $half_z * sqrt(n)) and
-- k = ceil(1 + n/2 + $half_z * sqrt(n)), $half_z = 1.96 / 2); lower/upper are NULL when n is too
-- small for that interval.
-- Output: changes (deployed in the period), n (with a lead time), median_minutes, lower, upper
-- Grain: one row.  Parameters: $since, $until, $half_z.
WITH lead AS (
    SELECT minutes FROM a_change_lead
    WHERE first_deployed_at >= $since AND first_deployed_at < $until
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
