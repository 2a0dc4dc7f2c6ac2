-- Whether a table named $table is visible in this connection (a temporary table built here, or a
-- table of an attached stored model): one row per copy, none when there is none.
-- Output: table_name.  Grain: one row per database holding it.  Parameters: $table.
SELECT table_name FROM duckdb_tables() WHERE table_name = $table;
