-- Which changes each deployment shipped: the change ids it lists; for a deployment that lists
-- none, the changes whose commit shas or head sha exactly match a deployed sha (a squash merge
-- deploys a sha that only the merged change's head_sha names).
-- Output: deployment_id, change_id, matched_by ('listed' | 'sha'), n_changes (changes shipped by
--   that deployment)
-- Grain: (deployment_id, change_id).  Parameters: none.
CREATE OR REPLACE TEMP TABLE a_deployment_changes AS
WITH listed AS (
    SELECT deployment_id, unnest(change_ids) AS change_id, 'listed' AS matched_by
    FROM a_deployments
),
deployed_shas AS (
    SELECT deployment_id, unnest(commit_shas) AS sha FROM a_deployments WHERE len(change_ids) = 0
),
change_shas AS (
    SELECT change_id, unnest(list_distinct(list_concat(commit_shas, [head_sha]))) AS sha
    FROM a_changes
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
