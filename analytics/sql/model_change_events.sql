-- The change events the model reads, read from the lake's files once with only these columns and
-- deduplicated as the lake's view does (first_landed, first_landed_macro.sql).
-- Events with no change_id are keyed source:event_id. lines_changed is the event's added plus
-- deleted lines, else the sum over its files.
-- Output: change_id, service_name, vcs_repository_name, occurred_at, committed_at, merged_at, kind,
--   ai_level, lines_changed, path_categories, paths (the files' paths), commit_shas, vcs_ref_head_revision, vcs_change_id,
--   source_ref, source_url, reverts_change_id, incident_id, author, author_kind
-- Grain: change event (source, event_id).  Parameters: none (the file list is the reader's
--   session variable change_files).
CREATE OR REPLACE TEMP TABLE a_change_events AS
SELECT
    coalesce(change_id, source || ':' || event_id) AS change_id,
    service_name, vcs_repository_name, occurred_at, committed_at, merged_at, kind,
    ai['level'] AS ai_level,
    CASE
        WHEN lines_added IS NULL AND lines_deleted IS NULL
            THEN list_sum([coalesce(f.lines_added, 0) + coalesce(f.lines_deleted, 0) FOR f IN files])
        ELSE coalesce(lines_added, 0) + coalesce(lines_deleted, 0)
    END AS lines_changed,
    path_categories, [f.path FOR f IN files] AS paths, commit_shas, vcs_ref_head_revision, vcs_change_id, source_ref, source_url,
    reverts_change_id, incident_id, author, author_kind
FROM first_landed(getvariable('change_files'));
