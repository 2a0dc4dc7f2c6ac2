-- One row per change: the latest state of every change_id (a pull request seen when opened and
-- again when merged is one change). Events with no change_id are kept under source:event_id.
-- Output: change_id, service_name, repository, first_seen_at, committed_at, merged_at, kind,
--   ai_level, lines_changed, path_categories, paths, head_sha, vcs_change_id, source_url, reverts_change_id,
--   fix_for_incident_id, author, author_kind (commit shas and source refs are rows of a_change_refs)
-- A change with one event is that event (each fold below gives the event's own value when it has
-- an occurred_at); only changes with several events are grouped, which at scale is the minority.
-- Grain: change_id.  Parameters: none.
CREATE OR REPLACE TEMP TABLE a_changes AS
WITH repeated AS (
    SELECT change_id FROM a_change_events GROUP BY change_id HAVING count(*) > 1
)
SELECT
    change_id,
    CASE WHEN occurred_at IS NOT NULL THEN service_name END AS service_name,
    CASE WHEN occurred_at IS NOT NULL THEN vcs_repository_name END AS repository,
    occurred_at AS first_seen_at,
    committed_at,
    merged_at,
    CASE WHEN occurred_at IS NOT NULL THEN kind END AS kind,
    CASE WHEN occurred_at IS NOT NULL THEN ai_level END AS ai_level,
    CASE WHEN occurred_at IS NOT NULL THEN lines_changed END AS lines_changed,
    CASE WHEN occurred_at IS NOT NULL THEN path_categories END AS path_categories,
    CASE WHEN occurred_at IS NOT NULL THEN paths END AS paths,
    CASE WHEN occurred_at IS NOT NULL THEN vcs_ref_head_revision END AS head_sha,
    CASE WHEN occurred_at IS NOT NULL THEN vcs_change_id END AS vcs_change_id,
    CASE WHEN occurred_at IS NOT NULL THEN source_url END AS source_url,
    CASE WHEN occurred_at IS NOT NULL THEN reverts_change_id END AS reverts_change_id,
    CASE WHEN occurred_at IS NOT NULL THEN incident_id END AS fix_for_incident_id,
    CASE WHEN occurred_at IS NOT NULL THEN author END AS author,
    CASE WHEN occurred_at IS NOT NULL THEN author_kind END AS author_kind
FROM a_change_events
ANTI JOIN repeated USING (change_id)
UNION ALL
SELECT
    change_id,
    arg_max(service_name, occurred_at) FILTER (WHERE service_name IS NOT NULL) AS service_name,
    arg_max(vcs_repository_name, occurred_at) AS repository,
    min(occurred_at) AS first_seen_at,
    min(committed_at) AS committed_at,
    max(merged_at) AS merged_at,
    arg_max(kind, occurred_at) AS kind,
    arg_max(ai_level, occurred_at) AS ai_level,
    arg_max(lines_changed, occurred_at) AS lines_changed,
    arg_max(path_categories, occurred_at) AS path_categories,
    list_distinct(flatten(list(paths))) AS paths,
    arg_max(vcs_ref_head_revision, occurred_at) FILTER (WHERE vcs_ref_head_revision IS NOT NULL) AS head_sha,
    arg_max(vcs_change_id, occurred_at) FILTER (WHERE vcs_change_id IS NOT NULL) AS vcs_change_id,
    arg_max(source_url, occurred_at) FILTER (WHERE source_url IS NOT NULL) AS source_url,
    arg_max(reverts_change_id, occurred_at) FILTER (WHERE reverts_change_id IS NOT NULL) AS reverts_change_id,
    arg_max(incident_id, occurred_at) FILTER (WHERE incident_id IS NOT NULL) AS fix_for_incident_id,
    arg_max(author, occurred_at) AS author,
    arg_max(author_kind, occurred_at) AS author_kind
FROM a_change_events
SEMI JOIN repeated USING (change_id)
GROUP BY change_id;
