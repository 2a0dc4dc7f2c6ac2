-- Records the linking parameters the model tables were built with.
-- Output: params.  Grain: one row.  Parameters: $params.
CREATE OR REPLACE TEMP TABLE a_model_params AS SELECT $params AS params;
