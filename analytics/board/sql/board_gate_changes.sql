-- Gate decisions on changes in [$since, $until) on the selected services, joined to the change
-- they judged (by change id, or a commit sha / source ref the change named) and its outcome:
-- per gate, decision and override, how many changes were judged, reached the environment, and
-- failed there.
-- Output: gate, decision, override, judged, matched, deployed, failed
-- Grain: (gate, decision, override).  Parameters: $since, $until, $all_services, $services.
WITH decisions AS (
    SELECT event_id, gate, decision, override, subject_id, service_name
    FROM gate_decision
    WHERE subject_kind = 'change' AND occurred_at >= $since AND occurred_at < $until
      AND ($all_services OR list_contains($services, service_name))
),
resolved AS (
    SELECT d.event_id,
           coalesce(any_value(c.change_id), any_value(r.change_id)) AS change_id
    FROM decisions AS d
    LEFT JOIN a_changes AS c ON c.change_id = d.subject_id
    LEFT JOIN a_change_refs AS r ON r.value = d.subject_id
    GROUP BY d.event_id
)
SELECT d.gate, d.decision, d.override,
       count(*) AS judged,
       count(r.change_id) AS matched,
       count(o.change_id) AS deployed,
       count(*) FILTER (WHERE o.failed) AS failed
FROM decisions AS d
JOIN resolved AS r USING (event_id)
LEFT JOIN a_change_outcomes AS o ON o.change_id = r.change_id
GROUP BY ALL
ORDER BY d.gate, d.decision, d.override;
