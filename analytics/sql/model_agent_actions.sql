-- The agent actions the report and linking read, read from the lake's files once with only these
-- columns and deduplicated as the lake's view does (first_landed, first_landed_macro.sql).
-- Output: event_id, source_ref, session_id, service_name, target_resource, occurred_at,
--   consequence_tier, verb, decision, outcome, authorization, gen_ai_agent_name
-- Grain: agent action (source, event_id).  Parameters: none (the file list is the reader's
--   session variable agent_action_files).
CREATE OR REPLACE TEMP TABLE a_agent_actions AS
SELECT event_id, source_ref, session_id, service_name, target_resource, occurred_at, consequence_tier,
       verb, decision, outcome, "authorization", gen_ai_agent_name
FROM first_landed(getvariable('agent_action_files'));
