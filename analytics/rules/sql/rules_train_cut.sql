-- The time that splits the labelled changes before $until at share $share (for validating the
-- tuner's regularisation on the latest part of its training period).
-- Output: cut (TIMESTAMPTZ or NULL when there is no labelled change). Grain: one row.
-- Parameters: $until (TIMESTAMPTZ, exclusive), $share (DOUBLE in 0..1).
SELECT quantile_disc(s.occurred_at, $share::DOUBLE) AS cut
FROM rule_scores AS s
JOIN change_label AS l ON l.change_id = s.change_id
WHERE s.occurred_at < $until::TIMESTAMPTZ;
