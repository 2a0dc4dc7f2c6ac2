-- Every deployment of $environment, with whether it failed and why, whether it was rework, and
-- how long recovery took. Nothing here depends on the report period: the report filters the rows
-- by started_at (dora_rates.sql, dora_recovery.sql), so one table serves every period.
-- failed: a failed or rolled_back status or a later rollback naming it ('status'), it brought in
--   the blamed cause of an incident ('incident', see incident_blame.sql), or it shipped a change
--   that was later reverted ('reverted').
-- rework: a rollback deployment, or one that ships a revert or a change correlated to an incident.
-- recovery_minutes (failed only): from the earliest blamed incident's impact start (else the
--   deployment start) to the latest blamed incident's end (else the finish of the next succeeded
--   deployment of the service; of several starting at the same time, the first to finish); NULL
--   when unknown.
-- Output: deployment_id, service_name, started_at, terminal, failed, failed_by_status,
--   failed_by_incident, failed_by_revert, rework, recovery_minutes
-- Grain: deployment_id.  Parameters: $environment.
CREATE OR REPLACE TEMP TABLE a_deploy_outcomes AS
WITH scope AS (
    SELECT * FROM a_deployments
    WHERE environment = $environment
),
blamed AS (
    SELECT deployment_id, min(impact_started_at) AS impact_at, max(ended_at) AS ended_at
    FROM a_incident_blame WHERE linked AND deployment_id IS NOT NULL
    GROUP BY deployment_id
),
shipped AS (
    SELECT dc.deployment_id,
           bool_or(EXISTS (SELECT 1 FROM a_changes AS r WHERE r.reverts_change_id = dc.change_id)) AS reverted,
           bool_or(c.kind = 'revert' OR c.fix_for_incident_id IS NOT NULL) AS remediates
    FROM a_deployment_changes AS dc
    LEFT JOIN a_changes AS c USING (change_id)
    GROUP BY dc.deployment_id
),
succeeded AS (
    SELECT service_name, started_at, min(finished_at) AS finished_at FROM a_deployments
    WHERE environment = $environment AND last_status = 'succeeded'
    GROUP BY service_name, started_at
),
flagged AS (
    SELECT s.deployment_id, s.service_name, s.started_at, s.terminal, s.rollback_of,
           s.failed AS failed_by_status,
           b.deployment_id IS NOT NULL AS failed_by_incident,
           coalesce(sh.reverted, false) AS failed_by_revert,
           coalesce(sh.remediates, false) AS remediates,
           b.impact_at, b.ended_at
    FROM scope AS s
    LEFT JOIN blamed AS b USING (deployment_id)
    LEFT JOIN shipped AS sh USING (deployment_id)
)
SELECT
    f.deployment_id, f.service_name, f.started_at, f.terminal,
    f.failed_by_status OR f.failed_by_incident OR f.failed_by_revert AS failed,
    f.failed_by_status, f.failed_by_incident, f.failed_by_revert,
    f.rollback_of IS NOT NULL OR f.remediates AS rework,
    CASE WHEN f.failed_by_status OR f.failed_by_incident OR f.failed_by_revert THEN
        date_diff('second', coalesce(f.impact_at, f.started_at), coalesce(f.ended_at, n.finished_at)) / 60.0
    END AS recovery_minutes
FROM flagged AS f
ASOF LEFT JOIN succeeded AS n ON n.service_name = f.service_name AND n.started_at > f.started_at;
