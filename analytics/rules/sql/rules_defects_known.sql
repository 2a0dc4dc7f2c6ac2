-- How many changes the defect links labelled failed (to report the links that name no change).
-- Output: failed. Grain: one row. Parameters: none.
SELECT count(*) FILTER (WHERE failed) AS failed FROM change_label;
