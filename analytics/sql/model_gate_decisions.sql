-- Every gate decision on a change, with the change it judged resolved: by change id, else by a
-- commit sha or source ref the change named (a_change_refs). Reads the gate decisions of the
-- lake snapshot once (first_landed, as the model does), so the pages count decisions without
-- reading the lake.
-- Output: event_id, occurred_at, service_name, gate, decision, override, subject_id, change_id
--   (NULL when no change of the lake matches the subject)
-- Grain: gate decision event (source, event_id).  Parameters: none (the file list is the session
--   variable gate_decision_files).
CREATE OR REPLACE TEMP TABLE a_gate_decisions AS
WITH decisions AS (
    SELECT source, event_id, occurred_at, service_name, gate, decision, override, subject_id
    FROM first_landed(getvariable('gate_decision_files'))
    WHERE subject_kind = 'change'
),
by_ref AS (
    SELECT value, any_value(change_id) AS change_id FROM a_change_refs GROUP BY value
)
SELECT d.event_id, d.occurred_at, d.service_name, d.gate, d.decision, d.override, d.subject_id,
       coalesce(c.change_id, r.change_id) AS change_id
FROM decisions AS d
LEFT JOIN a_changes AS c ON c.change_id = d.subject_id
LEFT JOIN by_ref AS r ON r.value = d.subject_id;
