-- Whether the model tables were built in this connection: one row if so, none otherwise.
-- Output: table_name.  Grain: one row.  Parameters: none.
SELECT table_name FROM duckdb_tables() WHERE table_name = 'a_model_params' AND temporary;
