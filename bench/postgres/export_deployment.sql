-- DuckDB side of the load: deployment events; column order matches schema.sql's ev_deployment.
SELECT deployment_id, service_name, deployment_environment_name, occurred_at, started_at, finished_at,
       status, rollback_of, strategy, artifact, to_json(change_ids) AS change_ids,
       to_json(commit_shas) AS commit_shas, vcs_ref_head_revision, to_json(regions) AS regions, source_ref
FROM deployment
