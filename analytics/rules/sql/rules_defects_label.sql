-- Label every change of the lake from imported defect links: failed = some link names it.
-- Output: change_label(change_id, failed). Grain: one row per change_id.
-- Parameters: $defective (VARCHAR[]: the changes named by a link).
CREATE OR REPLACE TEMP TABLE change_label AS
WITH named AS (SELECT DISTINCT unnest($defective::VARCHAR[]) AS change_id)
SELECT c.change_id, n.change_id IS NOT NULL AS failed
FROM (SELECT DISTINCT coalesce(change_id, event_id) AS change_id FROM change) AS c
LEFT JOIN named AS n ON n.change_id = c.change_id;
