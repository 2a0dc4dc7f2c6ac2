-- PostgreSQL translation of model_deployment_changes.sql.
CREATE UNLOGGED TABLE a_deployment_changes AS
WITH listed AS (
    SELECT DISTINCT e.deployment_id, c.change_id
    FROM ev_deployment AS e, jsonb_array_elements_text(e.change_ids) AS c(change_id)
    WHERE e.deployment_id IS NOT NULL
),
by_sha AS (
    SELECT DISTINCT d.deployment_id, c.change_id
    FROM a_deployments AS d
    JOIN a_deployment_shas AS s USING (deployment_id)
    JOIN a_change_shas AS c ON c.sha = s.sha
    WHERE NOT d.lists_changes
),
pairs AS (
    SELECT deployment_id, change_id, min(matched_by) AS matched_by
    FROM (SELECT *, 'listed' AS matched_by FROM listed UNION ALL SELECT *, 'sha' FROM by_sha) AS u
    WHERE change_id IS NOT NULL
    GROUP BY deployment_id, change_id
)
SELECT *, count(*) OVER (PARTITION BY deployment_id) AS n_changes FROM pairs;

CREATE INDEX ON a_deployment_changes (deployment_id);
CREATE INDEX ON a_deployment_changes (change_id);
ANALYZE a_deployment_changes;
