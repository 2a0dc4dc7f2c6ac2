-- Change failure rate and rework rate can never exceed 100 %: returns each service (and the
-- total, service_name NULL) whose failed or rework deployments outnumber its deployments.
-- Output: service_name, deployments, failed, rework.  Grain: service.  Parameters: none.
SELECT service_name, count(DISTINCT deployment_id) AS deployments,
       count(DISTINCT deployment_id) FILTER (WHERE failed) AS failed,
       count(DISTINCT deployment_id) FILTER (WHERE rework) AS rework
FROM a_deploy_outcomes
GROUP BY ROLLUP (service_name)
HAVING count(DISTINCT deployment_id) FILTER (WHERE failed) > count(DISTINCT deployment_id)
    OR count(DISTINCT deployment_id) FILTER (WHERE rework) > count(DISTINCT deployment_id);
