-- Changes first seen in [$since, $until) on the selected services with their rules score
-- (rule_scores, analytics/rules/history.py), lines added, and outcome: failed (any reason) and
-- whether they caused an incident (failure_reason 'incident').
-- Output: change_id, score, lines_added, failed, caused_incident
-- Grain: change.  Parameters: $since, $until, $all_services, $services.
SELECT s.change_id, s.score, coalesce(s.lines_added, 0) AS lines_added, o.failed,
       coalesce(o.failure_reason = 'incident', false) AS caused_incident
FROM rule_scores AS s
JOIN a_change_outcomes AS o USING (change_id)
WHERE o.occurred_at >= $since AND o.occurred_at < $until
  AND ($all_services OR list_contains($services, o.service_name))
ORDER BY s.change_id;
