-- Which changes each deployment shipped, in merge order. A deployment that lists change ids
-- shipped those. One that lists none (GitHub deploys one sha) shipped its head: the change whose
-- commit sha or head sha is the deployed sha (a squash or merge commit is the merged pull
-- request's merge_commit_sha; the push that carried it to the branch is the same change and is
-- left out when the pull request is known); and with it every pull request of the service merged
-- after the head of the service's previous deployment (by merge time) and before its own head
-- ('merge_order'). A deployment whose head resolves to no change, or the first of its service,
-- ships only what matched by sha.
-- Output: deployment_id, change_id, matched_by ('listed' | 'sha' | 'merge_order'), merged_at
--   (merge time, else commit time, else first seen), position (1 = merged last, the head),
--   is_head, n_changes (changes shipped by that deployment)
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
merge_commits AS (
    SELECT DISTINCT r.value AS sha
    FROM a_change_refs AS r
    JOIN a_changes AS c USING (change_id)
    WHERE r.kind = 'commit_sha' AND c.kind IN ('merge', 'revert') AND c.merged_at IS NOT NULL
),
by_sha AS (
    SELECT DISTINCT d.deployment_id, c.change_id, 'sha' AS matched_by
    FROM deployed_shas AS d
    JOIN change_shas AS c ON c.sha = d.sha
    JOIN a_changes AS ch ON ch.change_id = c.change_id
    WHERE NOT (ch.kind = 'commit' AND ch.head_sha IN (SELECT sha FROM merge_commits))
),
heads AS (
    SELECT b.deployment_id, any_value(d.service_name) AS service_name, any_value(d.environment) AS environment,
           max(coalesce(c.merged_at, c.committed_at, c.first_seen_at)) AS head_at
    FROM by_sha AS b
    JOIN a_deployments AS d USING (deployment_id)
    JOIN a_changes AS c USING (change_id)
    GROUP BY b.deployment_id
),
head_times AS (
    SELECT service_name, environment, head_at,
           lag(head_at) OVER (PARTITION BY service_name, environment ORDER BY head_at) AS since
    FROM (SELECT DISTINCT service_name, environment, head_at FROM heads WHERE head_at IS NOT NULL)
),
merged AS (
    SELECT change_id, service_name, merged_at FROM a_changes
    WHERE kind IN ('merge', 'revert') AND merged_at IS NOT NULL
),
riders AS (
    SELECT h.deployment_id, m.change_id, 'merge_order' AS matched_by
    FROM heads AS h
    JOIN head_times AS t USING (service_name, environment, head_at)
    JOIN merged AS m ON m.service_name = h.service_name AND m.merged_at > t.since AND m.merged_at < h.head_at
),
pairs AS (
    SELECT deployment_id, change_id, min(matched_by) AS matched_by
    FROM (SELECT * FROM listed UNION ALL SELECT * FROM by_sha UNION ALL SELECT * FROM riders)
    WHERE change_id IS NOT NULL
    GROUP BY deployment_id, change_id
),
timed AS (
    SELECT p.*, coalesce(c.merged_at, c.committed_at, c.first_seen_at) AS merged_at
    FROM pairs AS p
    LEFT JOIN a_changes AS c USING (change_id)
)
SELECT deployment_id, change_id, matched_by, merged_at,
       row_number() OVER (PARTITION BY deployment_id ORDER BY merged_at DESC NULLS LAST, change_id) AS position,
       position = 1 AS is_head,
       count(*) OVER (PARTITION BY deployment_id) AS n_changes
FROM timed;
