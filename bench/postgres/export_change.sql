-- DuckDB side of the load: the change events the report reads (deduped by the lake view), lists
-- and structs as JSON text for PostgreSQL jsonb. Column order matches schema.sql's ev_change.
SELECT change_id, source, event_id, service_name, occurred_at, committed_at, merged_at, kind,
       ai['level'] AS ai_level, lines_added, lines_deleted, to_json(files) AS files,
       to_json(commit_shas) AS commit_shas, vcs_ref_head_revision, source_ref, reverts_change_id, incident_id
FROM change
