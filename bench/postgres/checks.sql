-- After the timed run: headline figures the bench compares with DuckDB's report (same data,
-- same default period), one row.
SELECT
    (SELECT count(DISTINCT deployment_id) FROM a_deploy_outcomes, a_period AS p
     WHERE started_at >= p.since AND started_at < p.until) AS deployments,
    (SELECT count(DISTINCT deployment_id) FILTER (WHERE failed) FROM a_deploy_outcomes, a_period AS p
     WHERE started_at >= p.since AND started_at < p.until) AS failed_deployments,
    (SELECT count(DISTINCT deployment_id) FILTER (WHERE rework) FROM a_deploy_outcomes, a_period AS p
     WHERE started_at >= p.since AND started_at < p.until) AS rework_deployments,
    (SELECT count(*) FROM a_incident_blame, a_period AS p
     WHERE impact_started_at >= p.since AND impact_started_at < p.until) AS incidents,
    (SELECT count(*) FILTER (WHERE linked) FROM a_incident_blame, a_period AS p
     WHERE impact_started_at >= p.since AND impact_started_at < p.until) AS linked_incidents,
    (SELECT count(*) FROM a_change_outcomes, a_period AS p
     WHERE occurred_at >= p.since AND occurred_at < p.until) AS changes,
    (SELECT count(*) FILTER (WHERE failure_reason IS NOT NULL) FROM a_change_outcomes, a_period AS p
     WHERE occurred_at >= p.since AND occurred_at < p.until) AS failed_changes;
