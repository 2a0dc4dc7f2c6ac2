-- The outcome label of every change that reached $environment: failed when (a) it is the
-- top-ranked suspect of an incident with confidence >= $min_confidence, or (b) it shipped alone
-- in a deployment that failed or was rolled back, or (c) another change reverts it, or (d) a
-- landed defect link names it as defective (a_defect_links).
-- failure_reason names the first that holds, in that order ('incident', 'failed_deployment',
-- 'reverted', 'defect_link'); NULL when the change did not fail.
-- Output: change_id, service_name, occurred_at (first seen), ai_level, lines_changed,
--   path_categories, failed, failure_reason
-- Grain: change_id (changes never deployed to $environment are left out).
-- Builds temp table a_change_outcomes.
-- Parameters: $environment, $min_confidence.
CREATE OR REPLACE TEMP TABLE a_change_outcomes AS
WITH deployed AS (
    SELECT DISTINCT dc.change_id
    FROM a_deployment_changes AS dc
    JOIN a_deployments AS d USING (deployment_id)
    WHERE d.environment = $environment
),
blamed AS (
    SELECT DISTINCT suspect_id AS change_id
    FROM a_links
    WHERE rank = 1 AND suspect_kind = 'change' AND confidence >= $min_confidence
),
failed_alone AS (
    SELECT DISTINCT dc.change_id
    FROM a_deployment_changes AS dc
    JOIN a_deployments AS d USING (deployment_id)
    WHERE d.environment = $environment AND d.failed AND dc.n_changes = 1
),
reverted AS (
    SELECT DISTINCT reverts_change_id AS change_id FROM a_changes WHERE reverts_change_id IS NOT NULL
),
linked AS (
    SELECT DISTINCT change_id FROM a_defect_links WHERE change_id IS NOT NULL
),
labelled AS (
    SELECT
        c.change_id, c.service_name, c.first_seen_at AS occurred_at, c.ai_level, c.lines_changed,
        c.path_categories,
        CASE
            WHEN b.change_id IS NOT NULL THEN 'incident'
            WHEN f.change_id IS NOT NULL THEN 'failed_deployment'
            WHEN r.change_id IS NOT NULL THEN 'reverted'
            WHEN l.change_id IS NOT NULL THEN 'defect_link'
        END AS failure_reason
    FROM a_changes AS c
    SEMI JOIN deployed AS dp ON dp.change_id = c.change_id
    LEFT JOIN blamed AS b ON b.change_id = c.change_id
    LEFT JOIN failed_alone AS f ON f.change_id = c.change_id
    LEFT JOIN reverted AS r ON r.change_id = c.change_id
    LEFT JOIN linked AS l ON l.change_id = c.change_id
)
SELECT change_id, service_name, occurred_at, ai_level, lines_changed, path_categories,
       failure_reason IS NOT NULL AS failed, failure_reason
FROM labelled;
