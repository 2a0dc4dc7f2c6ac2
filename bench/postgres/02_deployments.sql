-- PostgreSQL translation of model_deployments.sql, with the lists as long tables:
-- a_deployment_shas, a_deployment_regions, a_deployment_refs.
CREATE UNLOGGED TABLE a_deployments AS
WITH folded AS (
    SELECT
        deployment_id,
        (array_agg(service_name ORDER BY occurred_at DESC) FILTER (WHERE service_name IS NOT NULL))[1]
            AS service_name,
        (array_agg(deployment_environment_name ORDER BY occurred_at DESC)
            FILTER (WHERE deployment_environment_name IS NOT NULL))[1] AS environment,
        min(coalesce(started_at, occurred_at)) AS started_at,
        max(coalesce(finished_at, occurred_at)) AS finished_at,
        (array_agg(status ORDER BY occurred_at DESC) FILTER (WHERE status IS NOT NULL))[1] AS last_status,
        bool_or(status IN ('succeeded', 'failed', 'rolled_back')) AS terminal,
        bool_or(status IN ('failed', 'rolled_back')) AS failed_status,
        min(rollback_of) AS rollback_of,
        min(artifact) AS artifact,
        coalesce(bool_or(jsonb_array_length(change_ids) > 0), false) AS lists_changes
    FROM ev_deployment
    WHERE deployment_id IS NOT NULL
    GROUP BY deployment_id
),
rollbacks AS (
    SELECT rollback_of AS deployment_id, min(deployment_id) AS rolled_back_by
    FROM folded WHERE rollback_of IS NOT NULL GROUP BY rollback_of
)
SELECT f.*, f.failed_status OR r.rolled_back_by IS NOT NULL AS failed, r.rolled_back_by
FROM folded AS f LEFT JOIN rollbacks AS r USING (deployment_id);

CREATE UNLOGGED TABLE a_deployment_shas AS
SELECT DISTINCT e.deployment_id, s.sha
FROM ev_deployment AS e, jsonb_array_elements_text(e.commit_shas) AS s(sha)
WHERE e.deployment_id IS NOT NULL AND s.sha IS NOT NULL
UNION
SELECT deployment_id, vcs_ref_head_revision FROM ev_deployment
WHERE deployment_id IS NOT NULL AND vcs_ref_head_revision IS NOT NULL;

CREATE UNLOGGED TABLE a_deployment_regions AS
SELECT DISTINCT e.deployment_id, r.region
FROM ev_deployment AS e, jsonb_array_elements_text(e.regions) AS r(region)
WHERE e.deployment_id IS NOT NULL AND r.region IS NOT NULL;

CREATE UNLOGGED TABLE a_deployment_refs AS
SELECT DISTINCT deployment_id, source_ref FROM ev_deployment
WHERE deployment_id IS NOT NULL AND source_ref IS NOT NULL;

CREATE INDEX ON a_deployments (deployment_id);
CREATE INDEX ON a_deployments (service_name, started_at);
CREATE INDEX ON a_deployment_shas (sha);
CREATE INDEX ON a_deployment_regions (deployment_id);
ANALYZE a_deployments, a_deployment_shas, a_deployment_regions, a_deployment_refs;
