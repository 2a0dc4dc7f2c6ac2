-- The agent actions the report and linking read, read from the lake's files once with only these
-- columns and deduplicated as the lake's view does: one row per (source, event_id), the first
-- landed copy (lowest _ingested_at, then _topic, _partition, _offset). Only keys seen more than
-- once (by hash of (source, event_id), so a hash collision merely adds candidates) go through the
-- exact window.
-- Output: event_id, source_ref, session_id, service_name, target_resource, occurred_at,
--   consequence_tier, verb, decision, outcome, authorization, gen_ai_agent_name
-- Grain: agent action (source, event_id).  Parameters: none (the file list is the reader's
--   session variable agent_action_files).
CREATE OR REPLACE TEMP TABLE a_agent_actions AS
WITH landed AS NOT MATERIALIZED (
    SELECT hash(source, event_id) AS _key, source, _ingested_at, _topic, _partition, _offset,
           event_id, source_ref, session_id, service_name, target_resource, occurred_at, consequence_tier,
           verb, decision, outcome, "authorization", gen_ai_agent_name
    FROM read_parquet(getvariable('agent_action_files'), union_by_name = true)
),
repeated AS (
    SELECT _key FROM landed GROUP BY _key HAVING count(*) > 1
),
first_copies AS (
    SELECT * FROM landed SEMI JOIN repeated USING (_key)
    QUALIFY row_number() OVER (
        PARTITION BY source, event_id ORDER BY _ingested_at, _topic, _partition, _offset
    ) = 1
)
SELECT * EXCLUDE (_key, source, _ingested_at, _topic, _partition, _offset)
FROM (SELECT * FROM landed ANTI JOIN repeated USING (_key) UNION ALL SELECT * FROM first_copies);
