-- The DORA counts over a_deploy_outcomes: deployments, those with a final status (coverage),
-- failed deployments, rework deployments, and failed deployments with a known recovery time.
-- Numerators are counted over the same rows as the denominator, so no rate can exceed 100 %.
-- Output: deployments, terminal, failed, rework, failed_recovered
-- Grain: one row.  Parameters: none.
SELECT
    count(DISTINCT deployment_id) AS deployments,
    count(DISTINCT deployment_id) FILTER (WHERE terminal) AS terminal,
    count(DISTINCT deployment_id) FILTER (WHERE failed) AS failed,
    count(DISTINCT deployment_id) FILTER (WHERE rework) AS rework,
    count(DISTINCT deployment_id) FILTER (WHERE failed AND recovery_minutes IS NOT NULL) AS failed_recovered
FROM a_deploy_outcomes;
