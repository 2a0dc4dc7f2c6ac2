-- Which deployments shipped each change (a_deployment_changes), for labelling calibration rows.
-- Output: change_id, deployment_id.  Grain: (change, deployment).  Parameters: none.
SELECT change_id, deployment_id FROM a_deployment_changes ORDER BY change_id, deployment_id;
