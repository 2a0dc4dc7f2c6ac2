-- The references defect links name as defective, in the file given ($defective) or landed in
-- the lake as defect_link events, each with the change it matches (NULL when none). A link names
-- a change by its key (change_id, else event_id), its source ref, its head revision or one of its
-- commit shas.
-- Output: defect_refs(ref, change_id). Grain: (reference, matching change).
-- Parameters: $defective (VARCHAR[]: the changes named by the file's links).
CREATE OR REPLACE TEMP TABLE defect_refs AS
WITH named AS (
    SELECT unnest($defective::VARCHAR[]) AS ref
    UNION
    SELECT change FROM defect_link
),
aliases AS (
    SELECT DISTINCT coalesce(change_id, event_id) AS change_id,
           unnest([coalesce(change_id, event_id), source_ref, vcs_ref_head_revision] || commit_shas) AS alias
    FROM change
)
SELECT n.ref, a.change_id
FROM named AS n
LEFT JOIN aliases AS a ON a.alias = n.ref;
