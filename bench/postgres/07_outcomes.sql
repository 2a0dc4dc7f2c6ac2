-- PostgreSQL translation of model_change_outcomes.sql, incident_blame.sql, blast_incidents.sql,
-- period_bounds.sql (the default period) and deploy_outcomes.sql (ASOF join -> LATERAL LIMIT 1).
CREATE UNLOGGED TABLE a_change_outcomes AS
WITH deployed AS (
    SELECT DISTINCT dc.change_id FROM a_deployment_changes AS dc JOIN a_deployments AS d USING (deployment_id)
    WHERE d.environment = :'environment'
),
blamed AS (
    SELECT DISTINCT suspect_id AS change_id FROM a_links
    WHERE rank = 1 AND suspect_kind = 'change' AND confidence >= :min_confidence
),
failed_alone AS (
    SELECT DISTINCT dc.change_id FROM a_deployment_changes AS dc JOIN a_deployments AS d USING (deployment_id)
    WHERE d.environment = :'environment' AND d.failed AND dc.n_changes = 1
),
reverted AS (
    SELECT DISTINCT reverts_change_id AS change_id FROM a_changes WHERE reverts_change_id IS NOT NULL
)
SELECT c.change_id, c.service_name, c.first_seen_at AS occurred_at, c.ai_level, c.lines_changed,
       CASE WHEN b.change_id IS NOT NULL THEN 'incident'
            WHEN f.change_id IS NOT NULL THEN 'failed_deployment'
            WHEN r.change_id IS NOT NULL THEN 'reverted' END AS failure_reason
FROM a_changes AS c
JOIN deployed AS dp ON dp.change_id = c.change_id
LEFT JOIN blamed AS b ON b.change_id = c.change_id
LEFT JOIN failed_alone AS f ON f.change_id = c.change_id
LEFT JOIN reverted AS r ON r.change_id = c.change_id;

CREATE UNLOGGED TABLE a_incident_blame AS
WITH top AS (
    SELECT * FROM a_links WHERE rank = 1 AND confidence >= :min_confidence
),
shipped AS (
    SELECT DISTINCT ON (t.incident_id) t.incident_id, d.deployment_id
    FROM top AS t
    JOIN a_incidents AS i USING (incident_id)
    JOIN a_deployment_changes AS dc ON dc.change_id = t.suspect_id
    JOIN a_deployments AS d ON d.deployment_id = dc.deployment_id
    WHERE t.suspect_kind = 'change' AND t.deployment_id IS NULL
      AND d.environment = :'environment'
      AND d.started_at <= i.impact_started_at + make_interval(mins => :skew_minutes)
    ORDER BY t.incident_id, d.started_at DESC
)
SELECT i.incident_id, t.incident_id IS NOT NULL AS linked, t.suspect_kind, t.suspect_id, t.confidence,
       CASE WHEN t.suspect_kind = 'change' THEN t.suspect_id END AS change_id,
       coalesce(t.deployment_id, s.deployment_id) AS deployment_id,
       CASE WHEN t.suspect_kind = 'agent_action' THEN t.suspect_id END AS agent_action_id,
       i.impact_started_at, i.ended_at
FROM a_incidents AS i
LEFT JOIN top AS t USING (incident_id)
LEFT JOIN shipped AS s USING (incident_id)
WHERE i.environment = :'environment';

CREATE UNLOGGED TABLE a_blast AS
WITH services AS (
    SELECT incident_id, count(*) AS services, max(dependency_depth) AS max_dependency_depth,
           sum(CASE criticality WHEN 1 THEN 1.0 WHEN 2 THEN 0.5 WHEN 3 THEN 0.25 ELSE 0.1 END
               / (1 + dependency_depth)) AS weighted_services
    FROM a_incident_services GROUP BY incident_id
),
regions AS (
    SELECT incident_id, count(*) AS regions FROM a_incident_regions GROUP BY incident_id
),
cells AS (
    SELECT incident_id, count(*) AS cells FROM a_incident_cells GROUP BY incident_id
)
SELECT i.incident_id, i.severity, i.impact_started_at, i.ended_at,
       (floor(extract(epoch FROM i.ended_at)) - floor(extract(epoch FROM i.impact_started_at))) / 60.0
           AS duration_minutes,
       coalesce(s.services, 0) AS services, s.max_dependency_depth,
       coalesce(s.weighted_services, 0) AS weighted_services, coalesce(r.regions, 0) AS regions,
       coalesce(c.cells, 0) AS cells,
       i.users_affected, i.tenants_affected, i.failed_requests, i.error_budget_burn,
       (floor(extract(epoch FROM i.ended_at)) - floor(extract(epoch FROM i.impact_started_at))) / 60.0
           * CASE i.severity WHEN 1 THEN 1.0 WHEN 2 THEN 0.5 WHEN 3 THEN 0.25 WHEN 4 THEN 0.1 ELSE 0.05 END
           * coalesce(s.weighted_services, 0) AS impact_minutes
FROM a_incidents AS i
LEFT JOIN services AS s USING (incident_id)
LEFT JOIN regions AS r USING (incident_id)
LEFT JOIN cells AS c USING (incident_id)
WHERE i.environment = :'environment';

CREATE UNLOGGED TABLE a_period AS
SELECT min(started_at) AS since, max(started_at) + interval '1 second' AS until
FROM a_deployments WHERE environment = :'environment';

CREATE UNLOGGED TABLE a_deploy_outcomes AS
WITH scope AS (
    SELECT d.* FROM a_deployments AS d WHERE d.environment = :'environment'
),
blamed AS (
    SELECT deployment_id, min(impact_started_at) AS impact_at, max(ended_at) AS ended_at
    FROM a_incident_blame WHERE linked AND deployment_id IS NOT NULL GROUP BY deployment_id
),
shipped AS (
    SELECT dc.deployment_id,
           bool_or(EXISTS (SELECT 1 FROM a_changes AS r WHERE r.reverts_change_id = dc.change_id)) AS reverted,
           bool_or(c.kind = 'revert' OR c.fix_for_incident_id IS NOT NULL) AS remediates
    FROM a_deployment_changes AS dc LEFT JOIN a_changes AS c USING (change_id)
    GROUP BY dc.deployment_id
),
flagged AS (
    SELECT s.deployment_id, s.service_name, s.started_at, s.terminal, s.rollback_of,
           s.failed AS failed_by_status, b.deployment_id IS NOT NULL AS failed_by_incident,
           coalesce(sh.reverted, false) AS failed_by_revert, coalesce(sh.remediates, false) AS remediates,
           b.impact_at, b.ended_at
    FROM scope AS s LEFT JOIN blamed AS b USING (deployment_id) LEFT JOIN shipped AS sh USING (deployment_id)
)
SELECT f.deployment_id, f.service_name, f.started_at, f.terminal,
       f.failed_by_status OR f.failed_by_incident OR f.failed_by_revert AS failed,
       f.rollback_of IS NOT NULL OR f.remediates AS rework,
       CASE WHEN f.failed_by_status OR f.failed_by_incident OR f.failed_by_revert THEN
           (floor(extract(epoch FROM coalesce(f.ended_at, n.finished_at)))
            - floor(extract(epoch FROM coalesce(f.impact_at, f.started_at)))) / 60.0
       END AS recovery_minutes
FROM flagged AS f
LEFT JOIN LATERAL (
    SELECT s.finished_at FROM a_deployments AS s
    WHERE s.environment = :'environment' AND s.last_status = 'succeeded'
      AND s.service_name = f.service_name AND s.started_at > f.started_at
    ORDER BY s.started_at, s.finished_at LIMIT 1
) AS n ON true;

CREATE UNLOGGED TABLE a_change_lead AS
WITH firsts AS (
    SELECT dc.change_id, min(d.started_at) AS first_deployed_at,
           min(d.finished_at) FILTER (WHERE d.last_status = 'succeeded') AS first_success_at
    FROM a_deployment_changes AS dc JOIN a_deployments AS d USING (deployment_id)
    WHERE d.environment = :'environment'
    GROUP BY dc.change_id
)
SELECT f.change_id, f.first_deployed_at,
       (floor(extract(epoch FROM f.first_success_at)) - floor(extract(epoch FROM c.committed_at))) / 60.0
           AS minutes
FROM firsts AS f LEFT JOIN a_changes AS c USING (change_id);
