-- Change failures per AI attribution level within strata of service x change size, for changes
-- first seen in [$since, $until). Size buckets by lines changed: xs < 10 <= s < 50 <= m < 250
-- <= l < 1000 <= xl; 'unknown' when no line counts were reported.
-- Output: ai_level, service_name, size_bucket, changes, failed
-- Grain: (ai_level, service_name, size_bucket).  Parameters: $since, $until.
SELECT
    coalesce(ai_level, 'unknown') AS ai_level,
    coalesce(service_name, '') AS service_name,
    CASE
        WHEN lines_changed IS NULL THEN 'unknown'
        WHEN lines_changed < 10 THEN 'xs'
        WHEN lines_changed < 50 THEN 's'
        WHEN lines_changed < 250 THEN 'm'
        WHEN lines_changed < 1000 THEN 'l'
        ELSE 'xl'
    END AS size_bucket,
    count(*) AS changes,
    count(*) FILTER (WHERE failed) AS failed
FROM a_change_outcomes
WHERE occurred_at >= $since AND occurred_at < $until
GROUP BY ALL
ORDER BY ALL;
