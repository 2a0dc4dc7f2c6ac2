-- Recovery cannot end before it starts: returns failed deployments with negative recovery time.
-- Output: deployment_id, recovery_minutes.  Grain: deployment.  Parameters: none.
SELECT deployment_id, recovery_minutes FROM a_deploy_outcomes WHERE recovery_minutes < 0;
