-- Copies one temporary model table into the stored model being written (attached as
-- model_store). {table} is a name listed by stored_tables.sql and checked against the model's
-- naming rule before it is placed here.
-- Output: none.  Parameters: none.
CREATE TABLE model_store.main.{table} AS FROM temp.main.{table};
