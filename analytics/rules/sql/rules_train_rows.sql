-- The tuner's training changes one by one, in time order, with what it fits on.
-- Output: change_id, occurred_at, rules_fired (VARCHAR[]), lines_added, lines_deleted, files,
-- features (MAP name -> thousandths), score, failed.
-- Grain: one row per labelled change scored in rule_scores with occurred_at < $until.
-- Parameters: $until (TIMESTAMPTZ, exclusive).
SELECT s.change_id, s.occurred_at, s.rules_fired, s.lines_added, s.lines_deleted, s.files, s.features,
       s.score, l.failed
FROM rule_scores AS s
JOIN change_label AS l ON l.change_id = s.change_id
WHERE s.occurred_at < $until::TIMESTAMPTZ
ORDER BY s.occurred_at, s.change_id;
