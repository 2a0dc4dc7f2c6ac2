-- Which changes each deployment shipped: the change ids it lists; for a deployment that lists
-- none, the changes whose commit shas or head sha exactly match a deployed sha (a squash merge
-- deploys a sha that only the merged change's head_sha names).
-- Output: deployment_id, change_id, matched_by ('listed' | 'sha'), n_changes (changes shipped by
--   that deployment)
-- Grain: (deployment_id, change_id).  Parameters: none.
CREATE OR REPLACE TEMP TABLE a_deployment_changes AS
WITH listed AS (
    SELECT deployment_id, value AS change_id, 'listed' AS matched_by
    FROM a_deployment_refs WHERE kind = 'change_id'
),
deployed_shas AS (
    SELECT deployment_id, value AS sha
    FROM a_deployment_refs AS r
    WHERE kind = 'sha'
      AND NOT EXISTS (SELECT 1 FROM listed AS l WHERE l.deployment_id = r.deployment_id)
),
change_shas AS (
    SELECT change_id, value AS sha FROM a_change_refs WHERE kind = 'commit_sha'
    UNION
    SELECT change_id, head_sha FROM a_changes WHERE head_sha IS NOT NULL
),
by_sha AS (
    SELECT d.deployment_id, c.change_id, 'sha' AS matched_by
    FROM deployed_shas AS d
    JOIN change_shas AS c ON c.sha = d.sha
),
pairs AS (
    SELECT deployment_id, change_id, min(matched_by) AS matched_by
    FROM (SELECT * FROM listed UNION ALL SELECT * FROM by_sha)
    WHERE change_id IS NOT NULL
    GROUP BY deployment_id, change_id
)
SELECT *, count(*) OVER (PARTITION BY deployment_id) AS n_changes
FROM pairs;
