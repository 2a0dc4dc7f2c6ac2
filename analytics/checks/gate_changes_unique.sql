-- Gate decisions fold to one row per change, and only a flagged change has a verification
-- status: returns changes that break this.
-- Output: change_id, problem.  Grain: change.  Parameters: none.
SELECT change_id, 'rows ' || count(*) AS problem
FROM a_gate_changes GROUP BY change_id HAVING count(*) > 1
UNION ALL
SELECT change_id, 'verification ' || coalesce(verification, 'NULL') || ' when flagged is ' || flagged
FROM a_gate_changes
WHERE (verification IS NULL) = flagged;
