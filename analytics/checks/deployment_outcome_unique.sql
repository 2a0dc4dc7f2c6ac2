-- Every deployment is counted once: returns deployment ids with more than one outcome row.
-- Output: deployment_id, rows.  Grain: deployment_id.  Parameters: none.
SELECT deployment_id, count(*) AS rows FROM a_deploy_outcomes GROUP BY deployment_id HAVING count(*) > 1;
