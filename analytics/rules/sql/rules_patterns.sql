-- Training data of the tuner, aggregated: each distinct set of fired feature rules with how many
-- labelled changes of [$since, $until) showed it and how many of them failed.
-- Output: rules_fired (VARCHAR[]), n (changes), k (failed changes).
-- Grain: one row per distinct rules_fired list.
-- Parameters: $since (TIMESTAMPTZ or NULL = unbounded, inclusive), $until (TIMESTAMPTZ, exclusive).
SELECT s.rules_fired, count(*) AS n, count(*) FILTER (WHERE l.failed) AS k
FROM rule_scores AS s
JOIN change_label AS l ON l.change_id = s.change_id
WHERE ($since::TIMESTAMPTZ IS NULL OR s.occurred_at >= $since::TIMESTAMPTZ)
  AND s.occurred_at < $until::TIMESTAMPTZ
GROUP BY s.rules_fired
ORDER BY s.rules_fired;
