-- The change outcome labels built by model_change_outcomes.sql.
-- Output: change_id, service_name, occurred_at, ai_level, lines_changed, path_categories,
--   failed, failure_reason
-- Grain: change_id.  Parameters: none.
SELECT * FROM a_change_outcomes;
