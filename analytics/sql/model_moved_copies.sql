-- The changes, deployments and agent actions whose copies disagree on occurred_at, with the
-- landing position (_topic, _partition, _offset) of the first landed copy (the one the views
-- show). A copy lands in the date folder of its own occurred_at, so a reader that reads only the
-- folders of some days (the postmortem timeline) may see a later copy of such an event without
-- its first one; it drops every copy but the one named here. A handful of rows in a sound lake.
-- Output: event_type, source, event_id, _topic, _partition, _offset
-- Grain: (event_type, source, event_id).  Parameters: none (the file lists are the reader's
--   session variables change_files, deployment_files, agent_action_files).
CREATE OR REPLACE TEMP TABLE a_moved_copies AS
WITH copies AS (
    SELECT 'change' AS event_type, source, event_id, occurred_at, _ingested_at, _topic, _partition,
           _offset
    FROM read_parquet(getvariable('change_files'), union_by_name = true)
    UNION ALL
    SELECT 'deployment', source, event_id, occurred_at, _ingested_at, _topic, _partition, _offset
    FROM read_parquet(getvariable('deployment_files'), union_by_name = true)
    UNION ALL
    SELECT 'agent_action', source, event_id, occurred_at, _ingested_at, _topic, _partition, _offset
    FROM read_parquet(getvariable('agent_action_files'), union_by_name = true)
),
moved AS (
    SELECT event_type, source, event_id
    FROM copies
    GROUP BY ALL
    HAVING min(occurred_at) <> max(occurred_at)
)
SELECT event_type, source, event_id, _topic, _partition, _offset
FROM copies
SEMI JOIN moved USING (event_type, source, event_id)
QUALIFY row_number() OVER (
    PARTITION BY event_type, source, event_id ORDER BY _ingested_at, _topic, _partition, _offset
) = 1;
