-- Attaches a stored model file for writing, as model_store.
-- Output: none.  Parameters: $path.
ATTACH $path AS model_store;
