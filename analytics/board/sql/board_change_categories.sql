-- The cells of board_change_cells.sql by path category instead of strategy: a change touching
-- several categories counts once in each ('none' when it reported none).
-- Output: ai_level, service_name, size_bucket, category, changes, failed, incidents, impact_minutes
-- Grain: (ai_level, service_name, size_bucket, category).  Parameters: $since, $until.
WITH caused AS (
    SELECT ib.change_id, count(*) AS incidents, sum(b.impact_minutes) AS impact_minutes
    FROM a_incident_blame AS ib
    JOIN a_blast AS b USING (incident_id)
    WHERE ib.linked AND ib.change_id IS NOT NULL
    GROUP BY ib.change_id
),
scope AS (
    SELECT o.*, k.incidents, k.impact_minutes,
           unnest(CASE WHEN len(coalesce(o.path_categories, [])) = 0 THEN ['none']
                       ELSE list_distinct(o.path_categories) END) AS category
    FROM a_change_outcomes AS o
    LEFT JOIN caused AS k USING (change_id)
    WHERE o.occurred_at >= $since AND o.occurred_at < $until
)
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
    category,
    count(*) AS changes,
    count(*) FILTER (WHERE failed) AS failed,
    coalesce(sum(incidents), 0) AS incidents,
    coalesce(sum(impact_minutes), 0) AS impact_minutes
FROM scope
GROUP BY ALL
ORDER BY ALL;
