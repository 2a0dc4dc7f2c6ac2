-- Ground-truth label of every change of the lake: failed = the simulator planted it as bad.
-- Output: change_label(change_id, failed). Grain: one row per change_id. Parameters: none.
CREATE OR REPLACE TEMP TABLE change_label AS
SELECT c.change_id, b.change_id IS NOT NULL AS failed
FROM (SELECT DISTINCT coalesce(change_id, event_id) AS change_id FROM change) AS c
LEFT JOIN truth_bad AS b ON b.change_id = c.change_id;
