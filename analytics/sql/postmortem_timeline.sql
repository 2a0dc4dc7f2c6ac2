-- Everything recorded on the incident's affected services (any dependency depth) from
-- $window_minutes before impact start until it ended: changes, deployments (every status event)
-- and agent actions, oldest first.
-- Rows come from the snapshot's files of the days the window spans ($change_files,
-- $deployment_files, $agent_action_files: every copy of an event lands in the folder of its
-- occurred_at day) through first_copies_in (first_copies_macro.sql), minus the copies of events
-- whose first landed copy is another one (a_moved_copies: copies that disagree on occurred_at):
-- the same rows as a filter over the views, without deduplicating every event of the lake.
-- Output: at, kind, service_name, dependency_depth, ref, what, source, source_ref
-- Grain: one row per event.  Parameters: $incident_id, $window_minutes, $change_files,
--   $deployment_files, $agent_action_files.
WITH inc AS (
    SELECT incident_id, impact_started_at - to_minutes($window_minutes) AS since,
           coalesce(ended_at, impact_started_at) AS until
    FROM a_incidents WHERE incident_id = $incident_id
),
svc AS (
    SELECT service_name, dependency_depth FROM a_incident_services WHERE incident_id = $incident_id
),
scope AS (
    SELECT (SELECT list(service_name) FROM svc) AS services, since, until FROM inc
),
changes AS (
    SELECT c.* FROM scope, first_copies_in($change_files, scope.services, scope.since,
                                           scope.until) AS c
    WHERE NOT EXISTS (
        SELECT 1 FROM a_moved_copies AS m
        WHERE m.event_type = 'change' AND m.source = c.source AND m.event_id = c.event_id
          AND (m._topic, m._partition, m._offset)
              IS DISTINCT FROM (c._topic, c._partition, c._offset)
    )
),
deployments AS (
    SELECT d.* FROM scope, first_copies_in($deployment_files, scope.services, scope.since,
                                           scope.until) AS d
    WHERE NOT EXISTS (
        SELECT 1 FROM a_moved_copies AS m
        WHERE m.event_type = 'deployment' AND m.source = d.source AND m.event_id = d.event_id
          AND (m._topic, m._partition, m._offset)
              IS DISTINCT FROM (d._topic, d._partition, d._offset)
    )
),
actions AS (
    SELECT a.* FROM scope, first_copies_in($agent_action_files, scope.services, scope.since,
                                           scope.until) AS a
    WHERE NOT EXISTS (
        SELECT 1 FROM a_moved_copies AS m
        WHERE m.event_type = 'agent_action' AND m.source = a.source AND m.event_id = a.event_id
          AND (m._topic, m._partition, m._offset)
              IS DISTINCT FROM (a._topic, a._partition, a._offset)
    )
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
