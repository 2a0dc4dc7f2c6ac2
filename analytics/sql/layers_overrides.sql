-- Overrides that preceded incidents: gate decisions overridden (first override in
-- [$since, $until)) on changes that then caused an incident in $environment (top suspect at the
-- report's confidence) whose impact started at or after the override. Newest first, at most
-- $limit rows.
-- Output: change_id, tier, score, overridden_at, approved_by, incidents (ids), first_impact
-- Grain: change_id.  Parameters: $since, $until, $limit.
SELECT
    g.change_id, g.tier, g.score, g.overridden_at, g.approved_by,
    list(b.incident_id ORDER BY b.impact_started_at, b.incident_id) AS incidents,
    min(b.impact_started_at) AS first_impact
FROM a_gate_changes AS g
JOIN a_incident_blame AS b ON b.change_id = g.change_id AND b.linked
WHERE g.overridden AND g.overridden_at >= $since AND g.overridden_at < $until
  AND b.impact_started_at >= g.overridden_at
GROUP BY g.change_id, g.tier, g.score, g.overridden_at, g.approved_by
ORDER BY g.overridden_at DESC, g.change_id
LIMIT $limit;
