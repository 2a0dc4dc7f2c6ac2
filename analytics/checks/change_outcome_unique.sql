-- Every change has one outcome label: returns change ids labelled more than once, or failed
-- without a reason, or with a reason but not failed.
-- Output: change_id, rows, problem.  Grain: change_id.  Parameters: none.
SELECT change_id, count(*) AS rows, 'duplicate' AS problem
FROM a_change_outcomes GROUP BY change_id HAVING count(*) > 1
UNION ALL
SELECT change_id, 1, 'reason does not match failed'
FROM a_change_outcomes WHERE failed <> (failure_reason IS NOT NULL);
