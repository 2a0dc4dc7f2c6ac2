-- Gate decisions on changes in [$since, $until) on the selected services, joined to the change
-- they judged (a_gate_decisions: by change id, or a commit sha / source ref the change named)
-- and its outcome: per gate, decision and override, how many changes were judged, reached the
-- environment, and failed there.
-- Output: gate, decision, override, judged, matched, deployed, failed
-- Grain: (gate, decision, override).  Parameters: $since, $until, $all_services, $services.
SELECT d.gate, d.decision, d.override,
       count(*) AS judged,
       count(d.change_id) AS matched,
       count(o.change_id) AS deployed,
       count(*) FILTER (WHERE o.failed) AS failed
FROM a_gate_decisions AS d
LEFT JOIN a_change_outcomes AS o ON o.change_id = d.change_id
WHERE d.occurred_at >= $since AND d.occurred_at < $until
  AND ($all_services OR list_contains($services, d.service_name))
GROUP BY ALL
ORDER BY d.gate, d.decision, d.override;
