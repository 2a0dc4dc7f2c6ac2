-- PostgreSQL tables the bench loads with COPY from DuckDB's CSV export (already deduplicated by
-- the lake views, so PostgreSQL does not repeat that work). No indexes here: indexes.sql adds
-- the ones a PostgreSQL developer would add for the report's joins, after the load.
CREATE UNLOGGED TABLE ev_change (
    change_id text, source text, event_id text, service_name text, occurred_at timestamptz,
    committed_at timestamptz, merged_at timestamptz, kind text, ai_level text, lines_added bigint,
    lines_deleted bigint, files jsonb, commit_shas jsonb, vcs_ref_head_revision text, source_ref text,
    reverts_change_id text, incident_id text
);
CREATE UNLOGGED TABLE ev_deployment (
    deployment_id text, service_name text, deployment_environment_name text, occurred_at timestamptz,
    started_at timestamptz, finished_at timestamptz, status text, rollback_of text, strategy text,
    artifact text, change_ids jsonb, commit_shas jsonb, vcs_ref_head_revision text, regions jsonb,
    source_ref text
);
CREATE UNLOGGED TABLE ev_incident (
    incident_id text, occurred_at timestamptz, title text, status text, severity bigint,
    deployment_environment_name text, service_name text, impact_started_at timestamptz,
    detected_at timestamptz, mitigated_at timestamptz, resolved_at timestamptz, regions jsonb,
    cells jsonb, users_affected bigint, tenants_affected bigint, failed_requests bigint,
    error_budget_burn double precision, causes jsonb, source_ref text, attributes jsonb,
    change_id text, deployment_id text, affected_services jsonb
);
CREATE UNLOGGED TABLE ev_agent_action (
    event_id text, source_ref text, service_name text, target_resource text, occurred_at timestamptz,
    consequence_tier text, decision text, outcome text, "authorization" text, gen_ai_agent_name text
);
