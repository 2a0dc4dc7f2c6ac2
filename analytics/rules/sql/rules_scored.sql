-- Every scored change of a period: what `aftershock rules score` writes.
-- Output: change_id, event_id, service_name, occurred_at, score, tier, rules_fired (VARCHAR[]),
-- terms_added (what the scaled terms added to the score), categories (VARCHAR[]), lines_added,
-- lines_deleted, files.
-- Grain: one row per change (rule_scores). Parameters: $since, $until (TIMESTAMPTZ or NULL =
-- unbounded; since inclusive, until exclusive).
SELECT s.change_id, s.event_id, s.service_name, s.occurred_at, s.score, s.tier, s.rules_fired,
       s.term_milli / 1000.0 AS terms_added, s.categories, s.lines_added, s.lines_deleted, s.files
FROM rule_scores AS s
WHERE ($since::TIMESTAMPTZ IS NULL OR s.occurred_at >= $since::TIMESTAMPTZ)
  AND ($until::TIMESTAMPTZ IS NULL OR s.occurred_at < $until::TIMESTAMPTZ)
ORDER BY s.occurred_at, s.change_id;
