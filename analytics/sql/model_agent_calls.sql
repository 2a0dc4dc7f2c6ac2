-- One row per agent tool call: the hooks of one agent report a call several times (before it
-- ran, after it succeeded or failed, when it was denied), each report its own agent action with
-- the same source_ref in the same session. The figures that count actions (report, dashboards)
-- count calls, so a call reported before and after it ran is one action. A report without a
-- source_ref is a call of its own.
-- The call's row is its latest report (occurred_at, then event_id), with what any of its reports
-- says folded in: denied if any report was denied (else asked if any asked), blocked if any was
-- blocked (else failed if any failed), and the strongest authorization any report carries.
-- Output: a_agent_calls (call_key, event_id, source_ref, session_id, service_name,
--   target_resource, occurred_at, consequence_tier, verb, decision, outcome, authorization,
--   gen_ai_agent_name, reports, report_ids)
-- Grain: tool call (call_key).  Parameters: none.
CREATE OR REPLACE TEMP TABLE a_agent_calls AS
WITH reports AS (
    SELECT *,
           CASE WHEN source_ref IS NULL THEN 'event:' || event_id
                ELSE 'call:' || coalesce(session_id, '') || chr(31) || source_ref END AS call_key,
           CASE "authorization" WHEN 'second_human' THEN 3 WHEN 'human' THEN 2 WHEN 'policy' THEN 1
                ELSE 0 END AS strength
    FROM a_agent_actions
)
SELECT call_key, event_id, source_ref, session_id, service_name, target_resource, occurred_at,
       consequence_tier, verb,
       CASE WHEN bool_or(decision = 'denied') OVER call THEN 'denied'
            WHEN bool_or(decision = 'asked') OVER call THEN 'asked'
            ELSE decision END AS decision,
       CASE WHEN bool_or(outcome = 'blocked') OVER call THEN 'blocked'
            WHEN bool_or(outcome = 'failed') OVER call THEN 'failed'
            ELSE outcome END AS outcome,
       CASE max(strength) OVER call WHEN 3 THEN 'second_human' WHEN 2 THEN 'human' WHEN 1 THEN 'policy'
            ELSE "authorization" END AS "authorization",
       gen_ai_agent_name,
       count(*) OVER call AS reports,
       list(event_id ORDER BY event_id) OVER call AS report_ids
FROM reports
WINDOW call AS (PARTITION BY call_key)
QUALIFY row_number() OVER (PARTITION BY call_key ORDER BY occurred_at DESC, event_id DESC) = 1;
