-- Rows of one lake view as queries see it (`aftershock lake iceberg show`).
-- Output columns: rows (BIGINT). Grain: one row.
-- Parameters: none; {view} is one of the lake's view names (checked by the caller).
SELECT count(*) AS rows FROM {view}
