-- The source-native ids each change names, merged across its events, one row each: commit shas
-- ('commit_sha') and source refs such as pull request ids ('source_ref'). The latest head sha is
-- a_changes.head_sha.
-- Output: change_id, kind ('commit_sha' | 'source_ref'), value
-- Grain: (change_id, kind, value).  Parameters: none.
CREATE OR REPLACE TEMP TABLE a_change_refs AS
WITH named AS (
    SELECT change_id, 'commit_sha' AS kind, unnest(commit_shas) AS value
    FROM a_change_events WHERE len(commit_shas) > 0
    UNION ALL
    SELECT change_id, 'source_ref', source_ref FROM a_change_events
)
SELECT DISTINCT change_id, kind, value
FROM named
WHERE value IS NOT NULL;
