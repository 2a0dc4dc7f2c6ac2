-- The gate's effectiveness by week (Monday, UTC) of its first decision on a change, for
-- changes first decided in [$since, $until): changes decided, flagged (the flag rate's
-- numerator), those that caused an incident in $environment (top suspect at the report's
-- confidence, a_incident_blame, any time) and of those the flagged (the recall's numerator),
-- overrides, and overrides made at or before the impact start of some incident the change caused.
-- Output: week, changes, flagged, incident_causing, incident_causing_flagged, overrides,
--   overrides_before_incidents
-- Grain: week.  Parameters: $since, $until.
WITH blamed AS (
    SELECT change_id, max(impact_started_at) AS last_impact
    FROM a_incident_blame
    WHERE linked AND change_id IS NOT NULL
    GROUP BY change_id
),
decided AS (
    SELECT g.*, b.change_id IS NOT NULL AS caused_incident, b.last_impact
    FROM a_gate_changes AS g
    LEFT JOIN blamed AS b USING (change_id)
    WHERE g.first_at >= $since AND g.first_at < $until
)
SELECT
    date_trunc('week', first_at) AS week,
    count(*) AS changes,
    count(*) FILTER (WHERE flagged) AS flagged,
    count(*) FILTER (WHERE caused_incident) AS incident_causing,
    count(*) FILTER (WHERE caused_incident AND flagged) AS incident_causing_flagged,
    count(*) FILTER (WHERE overridden) AS overrides,
    count(*) FILTER (WHERE overridden AND overridden_at <= last_impact) AS overrides_before_incidents
FROM decided
GROUP BY week
ORDER BY week;
