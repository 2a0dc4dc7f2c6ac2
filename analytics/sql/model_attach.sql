-- Attaches a stored model read-only, as stored_model; see model_search_path.sql.
-- Output: none.  Parameters: $path.
ATTACH $path AS stored_model (READ_ONLY);
