-- Changes first seen in [$since, $until) with their service, rules score (rule_scores,
-- analytics/rules/history.py), lines added, and outcome: failed (any reason) and whether they
-- caused an incident (failure_reason 'incident'). Every service: the page selects services in
-- Python, so a service or team filter reuses one scoring.
-- Output: change_id, service_name, score, lines_added, failed, caused_incident
-- Grain: change.  Parameters: $since, $until.
SELECT s.change_id, o.service_name, s.score, coalesce(s.lines_added, 0) AS lines_added, o.failed,
       coalesce(o.failure_reason = 'incident', false) AS caused_incident
FROM rule_scores AS s
JOIN a_change_outcomes AS o USING (change_id)
WHERE o.occurred_at >= $since AND o.occurred_at < $until
ORDER BY s.change_id;
