-- The environments deployments went to, most deployments first.
-- Output: environment, deployments.  Grain: environment.  Parameters: none (the view deployment).
SELECT deployment_environment_name AS environment, count(DISTINCT deployment_id) AS deployments
FROM deployment
WHERE deployment_environment_name IS NOT NULL
GROUP BY ALL
ORDER BY deployments DESC, environment;
