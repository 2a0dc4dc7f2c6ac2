-- The layers each incident-causing change passed, one row per incident in $environment whose
-- top suspect at the report's confidence (a_incident_blame) is a change:
--   gate      held when the gate flagged the change and its verification was done (not
--             overridden); failed when it allowed it or was overridden; absent when no gate
--             decision names the change;
--   review    failed when the change was reviewed or approved (a review passed it); absent
--             when it records zero reviews and no approval; unknown when it records neither;
--   rollout   held when the deployment that shipped it stopped during its rollout (its own
--             status ended failed or rolled_back); failed when a staged rollout (canary,
--             staged) ran to the end; absent for an all-at-once rollout that ran to the end;
--             unknown when the deployment or its strategy is not known;
--   rollback  held when the deployment was rolled back or failed at or before impact start;
--             failed otherwise (unknown without a deployment).
-- caught_at_canary: the rollout held with a staged strategy. detection_minutes: impact start to
-- detection. layers_held: how many of the four held (0 = it reached customers through every
-- layer). Review counts come from a_change_reviews, gate decisions from a_gate_changes.
-- Output: incident_id, change_id, deployment_id, confidence, impact_started_at, severity,
--   gate_tier, gate_score, gate_flagged, verification, approved_by, review_count, approvals,
--   strategy, deployment_status, failed_at, caught_at_canary, rolled_back_before_impact,
--   detection_minutes, gate, review, rollout, rollback, layers_held
-- Grain: incident_id.  Builds temp table a_layers.  Parameters: $environment.
CREATE OR REPLACE TEMP TABLE a_layers AS
WITH blamed AS (
    SELECT b.incident_id, b.change_id, b.deployment_id, b.confidence, i.impact_started_at,
           i.detected_at, i.severity
    FROM a_incident_blame AS b
    JOIN a_incidents AS i USING (incident_id)
    WHERE b.linked AND b.change_id IS NOT NULL AND i.environment = $environment
),
joined AS (
    SELECT
        b.*,
        g.change_id IS NOT NULL AS gated,
        g.tier AS gate_tier, g.score AS gate_score, g.flagged AS gate_flagged, g.verification,
        g.approved_by,
        r.review_count, r.approvals,
        d.strategy, d.last_status AS deployment_status, d.failed_at,
        d.last_status IN ('failed', 'rolled_back') AS stopped,
        d.failed_at IS NOT NULL AND d.failed_at <= b.impact_started_at AS rolled_back_before_impact,
        d.deployment_id IS NOT NULL AS deployed
    FROM blamed AS b
    LEFT JOIN a_gate_changes AS g USING (change_id)
    LEFT JOIN a_change_reviews AS r USING (change_id)
    LEFT JOIN a_deployments AS d ON d.deployment_id = b.deployment_id
),
layered AS (
    SELECT
        *,
        coalesce(stopped AND strategy IN ('canary', 'staged'), false) AS caught_at_canary,
        CASE WHEN NOT gated THEN 'absent' WHEN verification = 'done' THEN 'held' ELSE 'failed' END AS gate,
        CASE
            WHEN review_count > 0 OR approvals > 0 THEN 'failed'
            WHEN review_count = 0 OR approvals = 0 THEN 'absent'
            ELSE 'unknown'
        END AS review,
        CASE
            WHEN stopped THEN 'held'
            WHEN strategy IN ('canary', 'staged') THEN 'failed'
            WHEN strategy = 'all_at_once' THEN 'absent'
            ELSE 'unknown'
        END AS rollout,
        CASE WHEN NOT deployed THEN 'unknown' WHEN rolled_back_before_impact THEN 'held' ELSE 'failed' END
            AS rollback
    FROM joined
)
SELECT
    incident_id, change_id, deployment_id, confidence, impact_started_at, severity,
    gate_tier, gate_score, gate_flagged, verification, approved_by, review_count, approvals,
    strategy, deployment_status, failed_at, caught_at_canary,
    coalesce(rolled_back_before_impact, false) AS rolled_back_before_impact,
    date_diff('second', impact_started_at, detected_at) / 60.0 AS detection_minutes,
    gate, review, rollout, rollback,
    (gate = 'held')::INTEGER + (rollout = 'held')::INTEGER + (rollback = 'held')::INTEGER AS layers_held
FROM layered;
