-- The linking parameters the model tables were built with (run only once model_exists says so).
-- Output: params.  Grain: one row.  Parameters: none.
SELECT params FROM a_model_params;
