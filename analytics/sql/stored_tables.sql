-- The model and outcome tables built in this connection that a stored model keeps: all but the
-- build's intermediates (the deduplicated change and deployment event rows and the evidence rows,
-- which only later model steps read; the suspects in a_links carry their evidence).
-- Output: table_name.  Grain: table.  Parameters: none.
SELECT table_name FROM duckdb_tables()
WHERE temporary AND starts_with(table_name, 'a_')
  AND table_name NOT IN ('a_change_events', 'a_deployment_events', 'a_link_evidence')
ORDER BY table_name;
