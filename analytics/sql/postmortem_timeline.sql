-- Everything recorded on the incident's affected services (any dependency depth) from
-- $window_minutes before impact start until it ended: changes, deployments (every status event)
-- and agent actions, oldest first.
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
events AS (
    SELECT occurred_at AS at, 'change' AS kind, service_name, change_id AS ref,
           coalesce(kind, '') || ' by ' || coalesce(author, '?') || ', ai ' || coalesce(ai['level'], '?')
               || coalesce(', reverts ' || reverts_change_id, '') AS what,
           source, source_ref
    FROM change
    UNION ALL
    SELECT occurred_at, 'deployment', service_name, deployment_id,
           status || ' (' || coalesce(strategy, '?') || coalesce(', ' || stage, '') || ') ships '
               || array_to_string(change_ids, ', ') || coalesce(', rollback of ' || rollback_of, ''),
           source, source_ref
    FROM deployment
    UNION ALL
    SELECT occurred_at, 'agent_action', service_name, event_id,
           consequence_tier || ' ' || verb || ' ' || coalesce(target_resource, '') || ' by '
               || gen_ai_agent_name || ' (' || decision || ', ' || "authorization" || ', ' || outcome || ')',
           source, coalesce(source_ref, session_id)
    FROM agent_action
)
SELECT e.at, e.kind, e.service_name, s.dependency_depth, e.ref, e.what, e.source, e.source_ref
FROM events AS e
JOIN svc AS s USING (service_name)
CROSS JOIN inc
WHERE e.at BETWEEN inc.since AND inc.until
ORDER BY e.at, e.kind, e.ref;
