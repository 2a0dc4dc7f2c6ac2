-- Unqualified names resolve to temporary tables first (always searched first: a model or outcome
-- layer rebuilt in this connection for other parameters shadows the stored one), then this
-- connection's own tables and the lake's views, then the stored model's tables.
-- Output: none.  Parameters: none.
SET search_path = 'memory.main,stored_model.main';
