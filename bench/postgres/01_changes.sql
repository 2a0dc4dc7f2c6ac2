-- PostgreSQL translation of model_changes.sql (the columns the report reads), plus the long
-- tables PostgreSQL uses instead of list columns: a_change_shas (commit shas and head sha) and
-- a_change_refs (source refs). DuckDB's arg_max(x, t) becomes (array_agg(x ORDER BY t DESC))[1].
CREATE UNLOGGED TABLE a_changes AS
WITH keyed AS (
    SELECT coalesce(change_id, source || ':' || event_id) AS cid, e.*,
           CASE WHEN lines_added IS NULL AND lines_deleted IS NULL
                THEN (SELECT sum(coalesce((f ->> 'lines_added')::bigint, 0)
                                 + coalesce((f ->> 'lines_deleted')::bigint, 0))
                      FROM jsonb_array_elements(e.files) AS f)
                ELSE coalesce(lines_added, 0) + coalesce(lines_deleted, 0) END AS lines
    FROM ev_change AS e
)
SELECT
    cid AS change_id,
    (array_agg(service_name ORDER BY occurred_at DESC) FILTER (WHERE service_name IS NOT NULL))[1] AS service_name,
    min(occurred_at) AS first_seen_at,
    min(committed_at) AS committed_at,
    max(merged_at) AS merged_at,
    (array_agg(kind ORDER BY occurred_at DESC) FILTER (WHERE kind IS NOT NULL))[1] AS kind,
    (array_agg(ai_level ORDER BY occurred_at DESC) FILTER (WHERE ai_level IS NOT NULL))[1] AS ai_level,
    (array_agg(lines ORDER BY occurred_at DESC) FILTER (WHERE lines IS NOT NULL))[1] AS lines_changed,
    (array_agg(vcs_ref_head_revision ORDER BY occurred_at DESC)
        FILTER (WHERE vcs_ref_head_revision IS NOT NULL))[1] AS head_sha,
    (array_agg(reverts_change_id ORDER BY occurred_at DESC)
        FILTER (WHERE reverts_change_id IS NOT NULL))[1] AS reverts_change_id,
    (array_agg(incident_id ORDER BY occurred_at DESC) FILTER (WHERE incident_id IS NOT NULL))[1]
        AS fix_for_incident_id
FROM keyed
GROUP BY cid;

CREATE UNLOGGED TABLE a_change_shas AS
SELECT DISTINCT coalesce(e.change_id, e.source || ':' || e.event_id) AS change_id, s.sha
FROM ev_change AS e, jsonb_array_elements_text(e.commit_shas) AS s(sha)
WHERE s.sha IS NOT NULL
UNION
SELECT change_id, head_sha FROM a_changes WHERE head_sha IS NOT NULL;

CREATE UNLOGGED TABLE a_change_refs AS
SELECT DISTINCT coalesce(change_id, source || ':' || event_id) AS change_id, source_ref
FROM ev_change WHERE source_ref IS NOT NULL;

CREATE INDEX ON a_changes (change_id);
CREATE INDEX ON a_changes (reverts_change_id);
CREATE INDEX ON a_change_shas (sha);
ANALYZE a_changes, a_change_shas, a_change_refs;
