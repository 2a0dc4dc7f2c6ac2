-- Session settings of a reader: Parquet footers are read once a session (a view reads every
-- footer of its table when created, and again when a query binds it; lake files never change).
-- Output: none.  Grain: none.  Parameters: none.
SET parquet_metadata_cache = true
