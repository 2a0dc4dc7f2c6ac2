-- Everything recorded on the incident's affected services (any dependency depth) from
-- $window_minutes before impact start until it ended: changes, deployments (every status event)
-- and agent actions, oldest first.
-- Rows come from the snapshot's files (the reader's session variables change_files,
-- deployment_files, agent_action_files) with the lake views' dedupe rule, applied only to the
-- events that have a copy on an affected service in the window: row-group statistics skip most
-- files, and the first landed copy of such an event is the one the view would show (the final
-- filter then applies to that copy), so the rows equal a filter over the views.
-- Output: at, kind, service_name, dependency_depth, ref, what, source, source_ref
-- Grain: one row per event.  Parameters: $incident_id, $window_minutes.
WITH inc AS (
    SELECT incident_id, impact_started_at - to_minutes($window_minutes) AS since,
           coalesce(ended_at, impact_started_at) AS until
    FROM a_incidents WHERE incident_id = $incident_id
),
svc AS (
    SELECT service_name, dependency_depth FROM a_incident_services WHERE incident_id = $incident_id
),
change_hits AS (
    SELECT c.source, c.event_id
    FROM read_parquet(getvariable('change_files'), union_by_name = true) AS c, inc
    WHERE c.occurred_at BETWEEN inc.since AND inc.until AND c.service_name IN (SELECT service_name FROM svc)
),
deployment_hits AS (
    SELECT d.source, d.event_id
    FROM read_parquet(getvariable('deployment_files'), union_by_name = true) AS d, inc
    WHERE d.occurred_at BETWEEN inc.since AND inc.until AND d.service_name IN (SELECT service_name FROM svc)
),
action_hits AS (
    SELECT a.source, a.event_id
    FROM read_parquet(getvariable('agent_action_files'), union_by_name = true) AS a, inc
    WHERE a.occurred_at BETWEEN inc.since AND inc.until AND a.service_name IN (SELECT service_name FROM svc)
),
changes AS (
    SELECT * FROM read_parquet(getvariable('change_files'), union_by_name = true)
    SEMI JOIN change_hits USING (source, event_id)
    QUALIFY row_number() OVER (PARTITION BY source, event_id ORDER BY _ingested_at, _topic, _partition, _offset) = 1
),
deployments AS (
    SELECT * FROM read_parquet(getvariable('deployment_files'), union_by_name = true)
    SEMI JOIN deployment_hits USING (source, event_id)
    QUALIFY row_number() OVER (PARTITION BY source, event_id ORDER BY _ingested_at, _topic, _partition, _offset) = 1
),
actions AS (
    SELECT * FROM read_parquet(getvariable('agent_action_files'), union_by_name = true)
    SEMI JOIN action_hits USING (source, event_id)
    QUALIFY row_number() OVER (PARTITION BY source, event_id ORDER BY _ingested_at, _topic, _partition, _offset) = 1
),
events AS (
    SELECT occurred_at AS at, 'change' AS kind, service_name, change_id AS ref,
           coalesce(kind, '') || ' by ' || coalesce(author, '?') || ', ai ' || coalesce(ai['level'], '?')
               || coalesce(', reverts ' || reverts_change_id, '') AS what,
           source, source_ref
    FROM changes
    UNION ALL
    SELECT occurred_at, 'deployment', service_name, deployment_id,
           status || ' (' || coalesce(strategy, '?') || coalesce(', ' || stage, '') || ') ships '
               || array_to_string(change_ids, ', ') || coalesce(', rollback of ' || rollback_of, ''),
           source, source_ref
    FROM deployments
    UNION ALL
    SELECT occurred_at, 'agent_action', service_name, event_id,
           consequence_tier || ' ' || verb || ' ' || coalesce(target_resource, '') || ' by '
               || gen_ai_agent_name || ' (' || decision || ', ' || "authorization" || ', ' || outcome || ')',
           source, coalesce(source_ref, session_id)
    FROM actions
)
SELECT e.at, e.kind, e.service_name, s.dependency_depth, e.ref, e.what, e.source, e.source_ref
FROM events AS e
JOIN svc AS s USING (service_name)
CROSS JOIN inc
WHERE e.at BETWEEN inc.since AND inc.until
ORDER BY e.at, e.kind, e.ref;
