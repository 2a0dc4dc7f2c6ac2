-- Scored changes of a period with their outcome label.
-- Output: change_id, occurred_at, score, lines_changed, lines_added, rules_fired, tier, failed.
-- Grain: one row per change that has both a score (rule_scores) and a label (change_label).
-- Parameters: $since, $until (TIMESTAMPTZ or NULL = unbounded; since inclusive, until exclusive).
SELECT s.change_id, s.occurred_at, s.score, s.lines_changed, s.lines_added, s.rules_fired, s.tier,
       l.failed
FROM rule_scores AS s
JOIN change_label AS l ON l.change_id = s.change_id
WHERE ($since::TIMESTAMPTZ IS NULL OR s.occurred_at >= $since::TIMESTAMPTZ)
  AND ($until::TIMESTAMPTZ IS NULL OR s.occurred_at < $until::TIMESTAMPTZ)
ORDER BY s.change_id;
