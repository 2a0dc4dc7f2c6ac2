-- The change events the model reads, read from the lake's files once with only these columns and
-- deduplicated as the lake's view does: one row per (source, event_id), the first landed copy
-- (lowest _ingested_at, then _topic, _partition, _offset). Only keys seen more than once (by hash
-- of (source, event_id), so a hash collision merely adds candidates) go through the exact window.
-- Events with no change_id are keyed source:event_id. lines_changed is the event's added plus
-- deleted lines, else the sum over its files.
-- Output: change_id, service_name, vcs_repository_name, occurred_at, committed_at, merged_at, kind,
--   ai_level, lines_changed, path_categories, commit_shas, vcs_ref_head_revision, vcs_change_id,
--   source_ref, source_url, reverts_change_id, incident_id, author, author_kind
-- Grain: change event (source, event_id).  Parameters: none (the file list is the reader's
--   session variable change_files).
CREATE OR REPLACE TEMP TABLE a_change_events AS
WITH landed AS NOT MATERIALIZED (
    SELECT hash(source, event_id) AS _key, source, event_id, _ingested_at, _topic, _partition, _offset,
           change_id, service_name, vcs_repository_name, occurred_at, committed_at, merged_at, kind,
           ai, lines_added, lines_deleted, files, path_categories, commit_shas, vcs_ref_head_revision,
           vcs_change_id, source_ref, source_url, reverts_change_id, incident_id, author, author_kind
    FROM read_parquet(getvariable('change_files'), union_by_name = true)
),
repeated AS (
    SELECT _key FROM landed GROUP BY _key HAVING count(*) > 1
),
first_copies AS (
    SELECT * FROM landed SEMI JOIN repeated USING (_key)
    QUALIFY row_number() OVER (
        PARTITION BY source, event_id ORDER BY _ingested_at, _topic, _partition, _offset
    ) = 1
),
deduped AS (
    SELECT * FROM landed ANTI JOIN repeated USING (_key) UNION ALL SELECT * FROM first_copies
)
SELECT
    coalesce(change_id, source || ':' || event_id) AS change_id,
    service_name, vcs_repository_name, occurred_at, committed_at, merged_at, kind,
    ai['level'] AS ai_level,
    CASE
        WHEN lines_added IS NULL AND lines_deleted IS NULL
            THEN list_sum([coalesce(f.lines_added, 0) + coalesce(f.lines_deleted, 0) FOR f IN files])
        ELSE coalesce(lines_added, 0) + coalesce(lines_deleted, 0)
    END AS lines_changed,
    path_categories, commit_shas, vcs_ref_head_revision, vcs_change_id, source_ref, source_url,
    reverts_change_id, incident_id, author, author_kind
FROM deduped;
