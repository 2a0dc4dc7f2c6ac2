-- Features of the agent-action suspects (method "agent_action"): a state-changing agent action
-- (tier mutate, mutate_config or destructive) that was not denied, blocked or failed (by any
-- report of the same tool call: a call that failed changed nothing it was asked to), on an affected
-- service (its service_name, or, when it names no service, a target_resource that contains the
-- service name), within $window_minutes before impact start (or up to $skew_minutes after it).
-- link_score.sql turns the features into confidence with the calibrated weights.
-- The join is keyed by service (or, for actions naming no service, by target) and UTC day: each
-- incident service is expanded to the days its window touches. The window bounds are computed
-- once per incident service (TIMESTAMPTZ arithmetic is calendar arithmetic), and minutes before
-- impact count second boundaries from epoch microseconds, as date_diff('second') does.
-- One tool call reported by several hooks (before and after it ran: the same source_ref) is one
-- suspect: its latest report.
-- Output: a_agent_features (incident_id, event_id, tier, agent, depth, minutes_before)
-- Grain: (incident, agent action).  Parameters: $window_minutes, $skew_minutes.
CREATE OR REPLACE TEMP TABLE a_agent_features AS
WITH acting AS (
    SELECT event_id, source_ref, service_name, target_resource, occurred_at, consequence_tier, gen_ai_agent_name,
           floor(epoch(occurred_at) / 86400)::BIGINT AS day
    FROM a_agent_actions
    WHERE consequence_tier IN ('mutate', 'mutate_config', 'destructive')
      AND decision <> 'denied'
      AND outcome NOT IN ('blocked', 'failed')
      AND NOT (source_ref IS NOT NULL
               AND source_ref IN (SELECT source_ref FROM a_agent_actions
                                  WHERE outcome IN ('blocked', 'failed') AND source_ref IS NOT NULL))
),
exposed AS (
    SELECT s.incident_id, s.service_name, s.dependency_depth, i.impact_started_at,
           i.impact_started_at - to_minutes($window_minutes) AS window_start,
           i.impact_started_at + to_minutes($skew_minutes) AS window_end,
           unnest(range(
               floor(epoch(i.impact_started_at - to_minutes($window_minutes)) / 86400)::BIGINT,
               floor(epoch(i.impact_started_at + to_minutes($skew_minutes)) / 86400)::BIGINT + 1
           )) AS day
    FROM a_incidents AS i
    JOIN a_incident_services AS s USING (incident_id)
),
on_service AS (
    SELECT e.incident_id, a.event_id, a.source_ref, a.consequence_tier AS tier, a.gen_ai_agent_name AS agent,
           e.dependency_depth AS depth, a.occurred_at, e.impact_started_at
    FROM exposed AS e
    JOIN acting AS a
      ON a.service_name = e.service_name
     AND a.day = e.day
     AND a.occurred_at BETWEEN e.window_start AND e.window_end
),
on_resource AS (
    SELECT e.incident_id, a.event_id, any_value(a.source_ref) AS source_ref, any_value(a.consequence_tier) AS tier,
           any_value(a.gen_ai_agent_name) AS agent, min(e.dependency_depth) AS depth,
           any_value(a.occurred_at) AS occurred_at, any_value(e.impact_started_at) AS impact_started_at
    FROM exposed AS e
    JOIN (SELECT * FROM acting WHERE service_name IS NULL) AS a
      ON a.day = e.day
     AND a.occurred_at BETWEEN e.window_start AND e.window_end
     AND contains(a.target_resource, e.service_name)
    GROUP BY e.incident_id, a.event_id
),
near AS (
    SELECT incident_id, event_id, source_ref, tier, agent, depth,
           (floor(epoch_us(impact_started_at) / 1000000) - floor(epoch_us(occurred_at) / 1000000))::BIGINT / 60.0
               AS minutes_before
    FROM (SELECT * FROM on_service UNION ALL SELECT * FROM on_resource)
)
SELECT incident_id, event_id, tier, agent, depth, minutes_before
FROM near
QUALIFY row_number() OVER (PARTITION BY incident_id, coalesce(source_ref, event_id)
                           ORDER BY minutes_before, event_id) = 1;
