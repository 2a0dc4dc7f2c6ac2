-- Label every change of the lake from defect links: failed = a link names it (defect_refs, built
-- by rules_defects_refs.sql).
-- Output: change_label(change_id, failed). Grain: one row per change_id. Parameters: none.
CREATE OR REPLACE TEMP TABLE change_label AS
SELECT c.change_id,
       c.change_id IN (SELECT change_id FROM defect_refs WHERE change_id IS NOT NULL) AS failed
FROM (SELECT DISTINCT coalesce(change_id, event_id) AS change_id FROM change) AS c;
