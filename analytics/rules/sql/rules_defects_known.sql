-- How many references named by defect links (file or lake) match no change of the lake.
-- Output: unmatched. Grain: one row. Parameters: none.
SELECT count(DISTINCT ref) FILTER (WHERE change_id IS NULL) AS unmatched FROM defect_refs;
