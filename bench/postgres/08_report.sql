-- PostgreSQL translation of the report's questions over the model: dora_rates, dora_lead_time,
-- dora_recovery, linking_coverage, ai_strata, blast_by_ai_level, blast_by_change,
-- agent_actions_by_tier, agent_guardrails (default period, a_period). The bench fetches every row.
WITH per_deployment AS (
    SELECT deployment_id, bool_or(terminal) AS terminal, bool_or(failed) AS failed,
           bool_or(rework) AS rework, bool_or(failed AND recovery_minutes IS NOT NULL) AS failed_recovered
    FROM a_deploy_outcomes, a_period AS p
    WHERE started_at >= p.since AND started_at < p.until
    GROUP BY deployment_id
)
SELECT count(*) AS deployments, count(*) FILTER (WHERE terminal) AS terminal,
       count(*) FILTER (WHERE failed) AS failed, count(*) FILTER (WHERE rework) AS rework,
       count(*) FILTER (WHERE failed_recovered) AS failed_recovered
FROM per_deployment;

WITH lead AS (
    SELECT l.minutes FROM a_change_lead AS l, a_period AS p
    WHERE l.first_deployed_at >= p.since AND l.first_deployed_at < p.until
),
ranked AS (
    SELECT minutes, row_number() OVER (ORDER BY minutes) AS r, count(*) OVER () AS n
    FROM lead WHERE minutes IS NOT NULL
)
SELECT (SELECT count(*) FROM lead) AS changes, count(*) AS n,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY minutes) AS median_minutes,
       max(minutes) FILTER (WHERE r = floor(n / 2.0 - 0.98 * sqrt(n))) AS lower,
       max(minutes) FILTER (WHERE r = ceil(1 + n / 2.0 + 0.98 * sqrt(n))) AS upper
FROM ranked;

WITH scope AS (
    SELECT o.failed, o.recovery_minutes FROM a_deploy_outcomes AS o, a_period AS p
    WHERE o.started_at >= p.since AND o.started_at < p.until
),
ranked AS (
    SELECT recovery_minutes AS minutes, row_number() OVER (ORDER BY recovery_minutes) AS r,
           count(*) OVER () AS n
    FROM scope WHERE failed AND recovery_minutes IS NOT NULL
)
SELECT (SELECT count(*) FROM scope WHERE failed) AS failed, count(*) AS n,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY minutes) AS median_minutes,
       max(minutes) FILTER (WHERE r = floor(n / 2.0 - 0.98 * sqrt(n))) AS lower,
       max(minutes) FILTER (WHERE r = ceil(1 + n / 2.0 + 0.98 * sqrt(n))) AS upper
FROM ranked;

SELECT count(*) AS incidents, count(*) FILTER (WHERE linked) AS linked,
       count(*) FILTER (WHERE NOT linked) AS unlinked,
       count(*) FILTER (WHERE suspect_kind = 'change') AS linked_change,
       count(*) FILTER (WHERE suspect_kind = 'deployment') AS linked_deployment,
       count(*) FILTER (WHERE suspect_kind = 'agent_action') AS linked_agent_action
FROM a_incident_blame, a_period AS p
WHERE impact_started_at >= p.since AND impact_started_at < p.until;

SELECT coalesce(ai_level, 'unknown') AS ai_level, coalesce(service_name, '') AS service_name,
       CASE WHEN lines_changed IS NULL THEN 'unknown' WHEN lines_changed < 10 THEN 'xs'
            WHEN lines_changed < 50 THEN 's' WHEN lines_changed < 250 THEN 'm'
            WHEN lines_changed < 1000 THEN 'l' ELSE 'xl' END AS size_bucket,
       count(*) AS changes, count(*) FILTER (WHERE failure_reason IS NOT NULL) AS failed
FROM a_change_outcomes, a_period AS p
WHERE occurred_at >= p.since AND occurred_at < p.until
GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;

SELECT coalesce(c.ai_level, 'unknown') AS ai_level, count(*) AS incidents,
       sum(b.impact_minutes) AS impact_minutes_total,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY b.impact_minutes) AS impact_minutes_median,
       sum(b.users_affected) AS users_affected, sum(b.failed_requests) AS failed_requests,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY b.duration_minutes) AS recovery_minutes_median
FROM a_incident_blame AS ib JOIN a_blast AS b USING (incident_id)
LEFT JOIN a_changes AS c ON c.change_id = ib.change_id, a_period AS p
WHERE ib.linked AND ib.suspect_kind = 'change'
  AND ib.impact_started_at >= p.since AND ib.impact_started_at < p.until
GROUP BY 1 ORDER BY 1;

SELECT ib.change_id, min(c.ai_level) AS ai_level, min(c.service_name) AS service_name,
       count(*) AS incidents, sum(b.impact_minutes) AS impact_minutes,
       sum(b.users_affected) AS users_affected, sum(b.failed_requests) AS failed_requests
FROM a_incident_blame AS ib JOIN a_blast AS b USING (incident_id)
LEFT JOIN a_changes AS c ON c.change_id = ib.change_id, a_period AS p
WHERE ib.linked AND ib.change_id IS NOT NULL
  AND ib.impact_started_at >= p.since AND ib.impact_started_at < p.until
GROUP BY ib.change_id
ORDER BY impact_minutes DESC NULLS LAST, ib.change_id
LIMIT 10;

SELECT consequence_tier, decision, count(*) AS actions
FROM ev_agent_action, a_period AS p
WHERE occurred_at >= p.since AND occurred_at < p.until
GROUP BY 1, 2 ORDER BY 1, 2;

SELECT count(*) FILTER (WHERE consequence_tier = 'destructive') AS destructive,
       count(*) FILTER (WHERE consequence_tier = 'destructive' AND decision <> 'denied'
                        AND outcome <> 'blocked') AS destructive_executed,
       count(*) FILTER (WHERE consequence_tier = 'destructive' AND decision <> 'denied'
                        AND outcome <> 'blocked' AND "authorization" <> 'second_human')
           AS destructive_without_second_authorization,
       (SELECT count(*) FROM a_incident_blame, a_period AS q
        WHERE suspect_kind = 'agent_action' AND impact_started_at >= q.since AND impact_started_at < q.until)
           AS incidents_linked_to_agents
FROM ev_agent_action, a_period AS p
WHERE occurred_at >= p.since AND occurred_at < p.until;
