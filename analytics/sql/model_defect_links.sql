-- Defect links landed as defect_link events ("change X was fixed by change Y"), each resolved to
-- the change it names as defective: by exact match on our change_id, a commit sha, the head sha
-- or a source ref of the change (as incident causes are resolved). A link never creates a
-- change: one naming no known change is kept with change_id NULL (counted, never labelled).
-- Output: change_ref, change_id (NULL when unresolved), fixed_by, origin, evidence, occurred_at
-- Grain: (defect_link event, resolved change).  Parameters: none (the file list is the reader's
--   session variable defect_link_files).
CREATE OR REPLACE TEMP TABLE a_defect_links AS
WITH links AS (
    SELECT change AS change_ref, fixed_by, origin, evidence, occurred_at
    FROM first_landed(getvariable('defect_link_files'))
),
aliases AS (
    SELECT change_id, change_id AS alias FROM a_changes
    UNION SELECT change_id, value FROM a_change_refs
    UNION SELECT change_id, head_sha FROM a_changes WHERE head_sha IS NOT NULL
)
SELECT DISTINCT l.change_ref, a.change_id, l.fixed_by, l.origin, l.evidence, l.occurred_at
FROM links AS l
LEFT JOIN aliases AS a ON a.alias = l.change_ref;
