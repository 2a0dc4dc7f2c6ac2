-- The agent actions the report and linking read, taken from the lake view once (the view dedupes
-- on every scan, so reading it once and keeping only these columns saves a scan per question).
-- Output: event_id, source_ref, session_id, service_name, target_resource, occurred_at,
--   consequence_tier, verb, decision, outcome, authorization, gen_ai_agent_name
-- Grain: agent action (one row per (source, event_id), as the view keeps).  Parameters: none.
CREATE OR REPLACE TEMP TABLE a_agent_actions AS
SELECT event_id, source_ref, session_id, service_name, target_resource, occurred_at, consequence_tier,
       verb, decision, outcome, "authorization", gen_ai_agent_name
FROM agent_action;
