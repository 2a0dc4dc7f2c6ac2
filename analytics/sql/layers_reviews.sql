-- Reviews of every change: the most reviews and approvals any of its events records (NULL when
-- none records them). Reads the change events of the lake snapshot once (first_landed).
-- Output: change_id, review_count, approvals (how many approved)
-- Grain: change_id.  Parameters: none (the file list is the session variable change_files).
CREATE OR REPLACE TEMP TABLE a_change_reviews AS
SELECT change_id, max(review_count) AS review_count, max(len(approvals)) AS approvals
FROM first_landed(getvariable('change_files'))
WHERE change_id IS NOT NULL
GROUP BY change_id;
