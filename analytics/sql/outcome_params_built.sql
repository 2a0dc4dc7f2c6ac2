-- The parameters the outcome tables were built with (run only once table_exists finds them).
-- Output: params.  Grain: one row.  Parameters: none.
SELECT params FROM a_outcome_params;
