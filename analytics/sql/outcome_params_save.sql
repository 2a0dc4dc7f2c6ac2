-- Records the parameters the outcome tables (change outcomes, incident blame, blast radius,
-- deployment outcomes, change lead times) were built with, the model's included.
-- Output: params.  Grain: one row.  Parameters: $params.
CREATE OR REPLACE TEMP TABLE a_outcome_params AS SELECT $params AS params;
