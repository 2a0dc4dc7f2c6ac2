-- DuckDB side: the size of the lake (events per type after dedupe, distinct changes), one row.
SELECT (SELECT count(*) FROM change) AS change,
       (SELECT count(*) FROM deployment) AS deployment,
       (SELECT count(*) FROM incident) AS incident,
       (SELECT count(*) FROM agent_action) AS agent_action,
       (SELECT count(DISTINCT change_id) FROM change) AS changes
