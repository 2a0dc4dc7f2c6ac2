-- PostgreSQL translation of link_evidence_table.sql and the six linking methods (link_explicit,
-- link_revert, link_rollback, link_artifact, link_window, link_agent). date_diff('second', a, b)
-- becomes the difference of whole epoch seconds.
CREATE UNLOGGED TABLE a_link_evidence (
    incident_id text, kind text, ref_id text, method text, confidence double precision,
    evidence text, provenance text
);

INSERT INTO a_link_evidence
WITH named AS (
    SELECT incident_id, kind, ref, status FROM a_incident_causes
    UNION ALL
    SELECT incident_id, 'change', correlated_change_id, 'correlated'
    FROM a_incidents WHERE correlated_change_id IS NOT NULL
    UNION ALL
    SELECT incident_id, 'deployment', correlated_deployment_id, 'correlated'
    FROM a_incidents WHERE correlated_deployment_id IS NOT NULL
),
aliases AS (
    SELECT 'change' AS kind, change_id AS id, change_id AS alias FROM a_changes
    UNION ALL SELECT 'change', change_id, sha FROM a_change_shas
    UNION ALL SELECT 'change', change_id, source_ref FROM a_change_refs
    UNION ALL SELECT 'deployment', deployment_id, deployment_id FROM a_deployments
    UNION ALL SELECT 'deployment', deployment_id, source_ref FROM a_deployment_refs
    UNION ALL SELECT 'agent_action', event_id, event_id FROM ev_agent_action
    UNION ALL SELECT 'agent_action', event_id, source_ref FROM ev_agent_action WHERE source_ref IS NOT NULL
)
SELECT DISTINCT
    n.incident_id, n.kind, a.id, 'explicit',
    CASE n.status WHEN 'confirmed' THEN 0.95 WHEN 'suspected' THEN 0.70 ELSE 0.60 END,
    'incident names ' || n.kind || ' ' || n.ref || ' (' || n.status || ')',
    CASE n.status WHEN 'correlated' THEN 'incident envelope' ELSE 'incident.causes' END
FROM named AS n
JOIN aliases AS a ON a.kind = n.kind AND a.alias = n.ref;

INSERT INTO a_link_evidence
WITH reverts AS (
    SELECT change_id AS revert_id, reverts_change_id, coalesce(merged_at, first_seen_at) AS reverted_at
    FROM a_changes WHERE reverts_change_id IS NOT NULL
),
shipped AS (
    SELECT dc.change_id, c.service_name, d.deployment_id, d.started_at
    FROM a_deployment_changes AS dc
    JOIN a_deployments AS d USING (deployment_id)
    JOIN a_changes AS c USING (change_id)
    WHERE d.environment = :'environment'
)
SELECT DISTINCT
    i.incident_id, 'change', r.reverts_change_id, 'revert', 0.80,
    'reverted by ' || r.revert_id || ' at '
        || to_char(r.reverted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
    'change ' || r.revert_id
FROM a_incidents AS i
JOIN a_incident_services AS s USING (incident_id)
JOIN shipped AS sh ON sh.service_name = s.service_name
JOIN reverts AS r ON r.reverts_change_id = sh.change_id
WHERE sh.started_at BETWEEN i.impact_started_at - make_interval(mins => :window_minutes)
                        AND i.impact_started_at + make_interval(mins => :skew_minutes)
  AND r.reverted_at BETWEEN i.impact_started_at - make_interval(mins => :skew_minutes)
                        AND coalesce(i.ended_at, i.impact_started_at) + make_interval(mins => :window_minutes);

INSERT INTO a_link_evidence
SELECT
    i.incident_id, 'deployment', d.deployment_id, 'rollback',
    0.75 * power(0.5, min(s.dependency_depth)),
    'deployment ' || min(d.last_status) || coalesce(', rolled back by ' || min(d.rolled_back_by), ''),
    'deployment ' || d.deployment_id
FROM a_incidents AS i
JOIN a_incident_services AS s USING (incident_id)
JOIN a_deployments AS d ON d.service_name = s.service_name
WHERE d.environment = i.environment
  AND d.environment = :'environment'
  AND d.failed
  AND d.started_at BETWEEN i.impact_started_at - make_interval(mins => :window_minutes)
                       AND i.impact_started_at + make_interval(mins => :skew_minutes)
GROUP BY i.incident_id, d.deployment_id;

INSERT INTO a_link_evidence
WITH deployed AS (
    SELECT deployment_id, artifact AS value FROM a_deployments WHERE artifact IS NOT NULL
    UNION SELECT deployment_id, sha FROM a_deployment_shas
)
SELECT DISTINCT m.incident_id, 'deployment', d.deployment_id, 'artifact', 0.90,
       'incident attribute names ' || m.value, 'incident.attributes'
FROM a_incident_values AS m JOIN deployed AS d ON d.value = m.value
UNION ALL
SELECT DISTINCT m.incident_id, 'change', c.change_id, 'artifact', 0.90,
       'incident attribute names ' || m.value, 'incident.attributes'
FROM a_incident_values AS m JOIN a_change_shas AS c ON c.sha = m.value;

INSERT INTO a_link_evidence
WITH near AS (
    SELECT
        i.incident_id, d.deployment_id, min(s.dependency_depth) AS depth,
        (floor(extract(epoch FROM i.impact_started_at)) - floor(extract(epoch FROM d.started_at))) / 60.0
            AS minutes_before
    FROM a_incidents AS i
    JOIN a_incident_services AS s USING (incident_id)
    JOIN a_deployments AS d ON d.service_name = s.service_name
    WHERE d.environment = i.environment
      AND d.environment = :'environment'
      AND d.rollback_of IS NULL
      AND d.started_at BETWEEN i.impact_started_at - make_interval(mins => :window_minutes)
                           AND i.impact_started_at + make_interval(mins => :skew_minutes)
    GROUP BY i.incident_id, d.deployment_id, d.started_at, i.impact_started_at
),
regioned AS (
    SELECT n.*,
           EXISTS (SELECT 1 FROM a_incident_regions AS r WHERE r.incident_id = n.incident_id)
           AND EXISTS (SELECT 1 FROM a_deployment_regions AS r WHERE r.deployment_id = n.deployment_id)
           AND NOT EXISTS (SELECT 1 FROM a_incident_regions AS ir
                           JOIN a_deployment_regions AS dr ON dr.region = ir.region
                           WHERE ir.incident_id = n.incident_id AND dr.deployment_id = n.deployment_id)
               AS other_region
    FROM near AS n
)
SELECT
    incident_id, 'deployment', deployment_id,
    CASE WHEN depth = 0 THEN 'time_window' ELSE 'dependency' END,
    0.60 * CASE WHEN minutes_before >= 0 THEN exp(-minutes_before / :decay_minutes)
                ELSE exp(minutes_before / :skew_minutes) END
         * power(0.35, depth) * CASE WHEN other_region THEN 0.30 ELSE 1 END,
    'deployed ' || round(minutes_before) || ' min before impact, dependency depth ' || depth,
    'deployment ' || deployment_id
FROM regioned;

INSERT INTO a_link_evidence
WITH matched AS (
    SELECT i.incident_id, i.impact_started_at, s.dependency_depth, a.*
    FROM a_incidents AS i
    JOIN a_incident_services AS s USING (incident_id)
    JOIN ev_agent_action AS a ON a.service_name = s.service_name
    WHERE a.occurred_at BETWEEN i.impact_started_at - make_interval(mins => :window_minutes)
                            AND i.impact_started_at + make_interval(mins => :skew_minutes)
      AND a.consequence_tier IN ('mutate', 'mutate_config', 'destructive')
      AND a.decision <> 'denied' AND a.outcome <> 'blocked'
    UNION ALL
    SELECT i.incident_id, i.impact_started_at, s.dependency_depth, a.*
    FROM a_incidents AS i
    JOIN ev_agent_action AS a
      ON a.occurred_at BETWEEN i.impact_started_at - make_interval(mins => :window_minutes)
                           AND i.impact_started_at + make_interval(mins => :skew_minutes)
    JOIN a_incident_services AS s ON s.incident_id = i.incident_id
    WHERE a.service_name IS NULL AND strpos(a.target_resource, s.service_name) > 0
      AND a.consequence_tier IN ('mutate', 'mutate_config', 'destructive')
      AND a.decision <> 'denied' AND a.outcome <> 'blocked'
),
near AS (
    SELECT
        incident_id, event_id,
        min(CASE consequence_tier WHEN 'destructive' THEN 0.80 WHEN 'mutate_config' THEN 0.50 ELSE 0.30 END)
            AS weight,
        min(consequence_tier) AS tier, min(gen_ai_agent_name) AS agent, min(dependency_depth) AS depth,
        greatest(floor(extract(epoch FROM min(impact_started_at))) - floor(extract(epoch FROM min(occurred_at))), 0)
            / 60.0 AS minutes_before
    FROM matched
    GROUP BY incident_id, event_id
)
SELECT incident_id, 'agent_action', event_id, 'agent_action',
       weight * exp(-minutes_before / :decay_minutes) * power(0.35, depth),
       tier || ' action by ' || agent || ' ' || round(minutes_before) || ' min before impact',
       'agent_action ' || event_id
FROM near;
ANALYZE a_link_evidence;
