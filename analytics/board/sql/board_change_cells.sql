-- Changes first seen in [$since, $until) that reached the environment (a_change_outcomes), per
-- AI level x service x size bucket (as ai_strata.sql) x rollout strategy of the change's first
-- deployment there: how many, how many failed, and the incidents they are the linked cause of
-- with their impact minutes. Services are not filtered here: callers keep the cells they want.
-- Output: ai_level, service_name, size_bucket, strategy, changes, failed, incidents, impact_minutes
-- Grain: (ai_level, service_name, size_bucket, strategy).  Parameters: $since, $until, $environment.
WITH first_deploy AS (
    SELECT dc.change_id, arg_min(d.strategy, d.started_at) AS strategy
    FROM a_deployment_changes AS dc
    JOIN a_deployments AS d USING (deployment_id)
    WHERE d.environment = $environment
    GROUP BY dc.change_id
),
caused AS (
    SELECT ib.change_id, count(*) AS incidents, sum(b.impact_minutes) AS impact_minutes
    FROM a_incident_blame AS ib
    JOIN a_blast AS b USING (incident_id)
    WHERE ib.linked AND ib.change_id IS NOT NULL
    GROUP BY ib.change_id
)
SELECT
    coalesce(o.ai_level, 'unknown') AS ai_level,
    coalesce(o.service_name, '') AS service_name,
    CASE
        WHEN o.lines_changed IS NULL THEN 'unknown'
        WHEN o.lines_changed < 10 THEN 'xs'
        WHEN o.lines_changed < 50 THEN 's'
        WHEN o.lines_changed < 250 THEN 'm'
        WHEN o.lines_changed < 1000 THEN 'l'
        ELSE 'xl'
    END AS size_bucket,
    coalesce(f.strategy, 'unknown') AS strategy,
    count(*) AS changes,
    count(*) FILTER (WHERE o.failed) AS failed,
    coalesce(sum(k.incidents), 0) AS incidents,
    coalesce(sum(k.impact_minutes), 0) AS impact_minutes
FROM a_change_outcomes AS o
LEFT JOIN first_deploy AS f USING (change_id)
LEFT JOIN caused AS k USING (change_id)
WHERE o.occurred_at >= $since AND o.occurred_at < $until
GROUP BY ALL
ORDER BY ALL;
